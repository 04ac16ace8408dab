/** RFC 8288 Link header for an offset-paginated list: first, prev, next and last as they apply. */
export function paginationLinks(
  requestUrl: string,
  page: { total: number; limit: number; offset: number },
): string {
  const { total, limit, offset } = page;
  const link = (rel: string, targetOffset: number) => {
    const url = new URL(requestUrl);
    url.searchParams.set("limit", String(limit));
    url.searchParams.set("offset", String(targetOffset));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [link("first", 0)];
  if (offset > 0) links.push(link("prev", Math.max(0, Math.min(offset - limit, lastOffset))));
  if (offset + limit < total) links.push(link("next", offset + limit));
  links.push(link("last", lastOffset));
  return links.join(", ");
}
