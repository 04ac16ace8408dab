/**
 * Deterministic text for the benchmark data set: a vocabulary drawn with a mild Zipf skew, so a
 * few words are common, most are rare, and full-text search has real ranking work to do.
 */

const VOCABULARY = `
review update report meeting plan budget invoice client design draft release deploy server
database backup migrate schema query index cache token session login password email notify
schedule calendar agenda minutes follow call phone contract proposal quote order shipment
delivery supplier vendor payment refund receipt expense travel hotel flight booking ticket
garden kitchen grocery laundry repair plumber electrician paint fence roof window door floor
carpet furniture lamp garage car insurance tax return pension savings mortgage rent lease
doctor dentist appointment pharmacy vitamin exercise running yoga swim bike hike climb
birthday gift party wedding dinner lunch breakfast recipe bake cake bread coffee tea wine
book article chapter outline edit proofread publish blog newsletter podcast video slides
presentation workshop training course lesson homework exam study research paper thesis
analysis metrics dashboard chart graph spreadsheet formula pivot export import upload
download sync archive folder file document template form survey feedback interview hire
onboard offboard payroll benefits vacation holiday leave timesheet overtime shift roster
sprint backlog story epic ticket bug crash error warning logging monitor alert incident
postmortem rollback hotfix patch version changelog license audit compliance security
firewall certificate domain dns network router switch printer scanner laptop monitor
keyboard mouse charger cable battery phone tablet camera lens tripod drone speaker
project milestone deadline roadmap strategy vision mission goal objective result quarter
annual monthly weekly daily morning evening weekend urgent important optional someday
call reply answer ask confirm cancel reschedule approve reject sign submit send collect
prepare organise clean sort fix check verify test measure compare estimate calculate
plant water harvest prune mow rake compost seed soil fertiliser greenhouse shed tools
paintbrush canvas sketch photo album frame print poster banner flyer brochure catalogue
website landing page header footer button modal sidebar navigation search filter sort
mobile android ios tablet desktop browser extension plugin theme font icon logo brand
marketing campaign advert social twitter linkedin instagram youtube seo analytics funnel
sales lead prospect pipeline deal discount coupon loyalty membership subscription renewal
support helpdesk faq manual guide tutorial howto checklist policy procedure standard
inventory stock warehouse pallet forklift truck route driver fuel mileage maintenance
oil tyre brake engine service inspection registration permit licence passport visa
school teacher parent meeting uniform lunchbox field trip sports practice game match
concert theatre museum gallery exhibition festival market fair conference summit meetup
volunteer charity donation fundraiser auction raffle sponsor community neighbour council
`
  .split(/\s+/)
  .filter(Boolean);

export const WORDS: readonly string[] = [...new Set(VOCABULARY)];

export const TAGS: readonly string[] = [
  "work",
  "home",
  "urgent",
  "errand",
  "finance",
  "health",
  "family",
  "someday",
  "waiting",
  "project-x",
  "ops",
  "reading",
];

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same data set every run. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Zipf-like weights 1/(rank + 10): the most common word is ~40x as frequent as the rarest.
const CUMULATIVE = (() => {
  const weights = WORDS.map((_, rank) => 1 / (rank + 10));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  return weights.map((weight) => {
    running += weight / total;
    return running;
  });
})();

export function pickWord(random: () => number): string {
  const target = random();
  let low = 0;
  let high = CUMULATIVE.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((CUMULATIVE[mid] ?? 1) < target) low = mid + 1;
    else high = mid;
  }
  return WORDS[low] ?? "task";
}

export function sentence(random: () => number, minWords: number, maxWords: number): string {
  const count = minWords + Math.floor(random() * (maxWords - minWords + 1));
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(pickWord(random));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Search terms spread over the frequency ranks: common, middling and rare words. */
export const SEARCH_WORDS: readonly string[] = [10, 40, 120, 300].map(
  (rank) => WORDS[Math.min(rank, WORDS.length - 1)] ?? "review",
);
