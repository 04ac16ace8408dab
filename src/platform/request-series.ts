/**
 * The per-request counter and latency histogram, kept as plain numbers per series and handed to
 * prom-client's registry as it scrapes. prom-client's own instruments validate and hash the label
 * set on every observation, which cost about a tenth of a list request's CPU; the set of series
 * here is small and bounded (method × route template × status), so each is found by one Map
 * lookup instead, and the registry still writes the exposition format.
 */

type Labels = { method: string; route: string; status: string };

interface Series {
  labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  buckets: number[];
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** The shape prom-client's Registry reads from a registered metric. */
export interface CollectedMetric {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: "sum" };
}

export interface RequestSeries {
  observe(method: string, route: string, status: number, seconds: number): void;
  /** Requests answered so far, all series together. */
  answered(): number;
  /** The two metrics to register: http_requests_total and http_request_duration_seconds. */
  metrics: [CollectedMetric, CollectedMetric];
}

export function createRequestSeries(upperBounds: readonly number[]): RequestSeries {
  const series = new Map<string, Series>();
  const all = () => [...series.values()];

  const requests = metric(
    "http_requests_total",
    "HTTP requests answered, by method, route template and status",
    "counter",
    () => all().map(({ labels, count }) => ({ labels, value: count })),
  );
  const duration = metric(
    "http_request_duration_seconds",
    "Time to answer HTTP requests, by method, route template and status",
    "histogram",
    () => all().flatMap((entry) => histogramValues(entry, upperBounds)),
  );

  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let entry = series.get(key);
      if (!entry) {
        const labels = { method, route, status: String(status) };
        entry = { labels, count: 0, sum: 0, buckets: new Array(upperBounds.length + 1).fill(0) };
        series.set(key, entry);
      }
      entry.count++;
      entry.sum += seconds;
      let bucket = 0;
      while (bucket < upperBounds.length && seconds > (upperBounds[bucket] as number)) bucket++;
      entry.buckets[bucket] = (entry.buckets[bucket] ?? 0) + 1;
    },
    answered: () => all().reduce((total, entry) => total + entry.count, 0),
    metrics: [requests, duration],
  };
}

function metric(
  name: string,
  help: string,
  type: "counter" | "histogram",
  values: () => MetricValue[],
): CollectedMetric {
  return {
    name,
    help,
    type,
    aggregator: "sum",
    get: () => ({ name, help, type, values: values(), aggregator: "sum" }),
  };
}

/** Cumulative buckets (`le` first, as Prometheus clients write it), then _sum and _count. */
function histogramValues(entry: Series, upperBounds: readonly number[]): MetricValue[] {
  const values: MetricValue[] = [];
  let cumulative = 0;
  entry.buckets.forEach((inBucket, index) => {
    cumulative += inBucket;
    const le = index < upperBounds.length ? (upperBounds[index] as number) : "+Inf";
    values.push({
      labels: { le, ...entry.labels },
      value: cumulative,
      metricName: "http_request_duration_seconds_bucket",
    });
  });
  values.push({
    labels: entry.labels,
    value: entry.sum,
    metricName: "http_request_duration_seconds_sum",
  });
  values.push({
    labels: entry.labels,
    value: entry.count,
    metricName: "http_request_duration_seconds_count",
  });
  return values;
}
