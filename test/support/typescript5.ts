import { plugin } from "bun";

/**
 * Preloaded (`bun --preload`) when the suite runs openapi-typescript. It writes its output
 * with TypeScript 5's compiler API, which the project's compiler, TypeScript 7, does not have;
 * Bun installs no second copy for it (a peer dependency, and no nested overrides). So the
 * `typescript5` alias is handed over whenever `typescript` is loaded in that process.
 */
const typescript5 = require("typescript5");

plugin({
  name: "typescript 5 for openapi-typescript",
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]typescript[\\/]lib[\\/]version\.cjs$/ }, () => ({
      loader: "object",
      exports: { ...typescript5, default: typescript5 },
    }));
  },
});
