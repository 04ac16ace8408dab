// Preloaded by `bun run test:pg` (test/postgres/bunfig.toml): without a server there is nothing to
// test, and that must read as a failure with its cause, not as a run of skipped or passing tests.
import { serverUrl } from "./support";

serverUrl();
