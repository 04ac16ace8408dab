/**
 * Links into the app: `?card=12` on a board and `?task=7` on My tasks name the item to open (a
 * notification's, an email's). The id a query parameter names, or null when it names none.
 */
export function linkedId(search: string, name: string): number | null {
  const value = new URLSearchParams(search).get(name);
  return value !== null && /^[1-9][0-9]{0,14}$/.test(value) ? Number(value) : null;
}
