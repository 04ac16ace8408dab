import { defineConfig } from "drizzle-kit";

// SQLite by default (`bun run db:generate`); `bun run db:generate:pg` sets DRIZZLE_DIALECT for
// the PostgreSQL schema and its own migrations folder.
const postgres = process.env.DRIZZLE_DIALECT === "postgresql";

export default postgres
  ? defineConfig({
      dialect: "postgresql",
      schema: "./src/platform/db/pg-tables/index.ts",
      out: "./drizzle/pg",
    })
  : defineConfig({
      dialect: "sqlite",
      schema: "./src/platform/db/tables/index.ts",
      out: "./drizzle",
    });
