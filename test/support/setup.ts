// Preloaded by bun test (bunfig.toml): warm the migrated database template once per process.
import { freshDatabase } from "./database";

freshDatabase().close();
