import { t } from "elysia";
import { WholeNumber } from "./schema-kinds";

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** The `limit` and `offset` query parameters every offset-paginated list accepts. */
export const PageQueryFields = {
  limit: t.Optional(
    WholeNumber({
      minimum: 1,
      maximum: MAX_PAGE_LIMIT,
      description: `Page size (default ${DEFAULT_PAGE_LIMIT})`,
    }),
  ),
  offset: t.Optional(
    WholeNumber({
      minimum: 0,
      maximum: 999_999_999,
      error: "Must be a whole number from 0 to 999,999,999",
      description: "Items to skip (default 0)",
    }),
  ),
};

export interface PageInfo {
  total: number;
  limit: number;
  offset: number;
}

/** RFC 8288 Link header for an offset-paginated list: first, prev, next and last as they apply. */
export function paginationLinks(requestUrl: string, page: PageInfo): string {
  const { total, limit, offset } = page;
  // The request's other parameters, encoded once; each link adds its own limit and offset.
  const { pathname, searchParams } = new URL(requestUrl);
  searchParams.delete("limit");
  searchParams.delete("offset");
  const kept = searchParams.size > 0 ? `${searchParams}&` : "";
  const link = (rel: string, targetOffset: number) =>
    `<${pathname}?${kept}limit=${limit}&offset=${targetOffset}>; rel="${rel}"`;
  const lastOffset = total === 0 ? 0 : Math.floor((total - 1) / limit) * limit;
  const links = [link("first", 0)];
  if (offset > 0) links.push(link("prev", Math.max(0, Math.min(offset - limit, lastOffset))));
  if (offset + limit < total) links.push(link("next", offset + limit));
  links.push(link("last", lastOffset));
  return links.join(", ");
}

/** Sets X-Total-Count and Link for one page of a list. */
export function setPageHeaders(
  set: { headers: Record<string, string | number> },
  requestUrl: string,
  page: PageInfo,
): void {
  set.headers["x-total-count"] = String(page.total);
  set.headers.link = paginationLinks(requestUrl, page);
}
