// Files imported as text or as embedded file paths (see `with { type: ... }` imports).
declare module "*.sql" {
  const text: string;
  export default text;
}
declare module "*.txt" {
  const text: string;
  export default text;
}
declare module "swagger-ui-dist/*" {
  const path: string;
  export default path;
}
