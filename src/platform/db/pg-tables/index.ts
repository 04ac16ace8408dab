// The PostgreSQL schema: every table of ../tables with the same names, for drizzle-kit's pg
// migrations (drizzle/pg). Full-text search: see search.ts.
export * from "./boards";
export * from "./events";
export * from "./jobs";
export * from "./notifications";
export * from "./security";
export * from "./sessions";
export * from "./tasks";
export * from "./users";
