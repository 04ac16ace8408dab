import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * The built web app (dist/web): its index.html and hashed assets. The compiled binary carries it
 * (`--asset=dist/web`, read back through Bun.embeddedFiles); run from source, it is read from
 * disk, afresh on each page load, so `bun run dev` serves every rebuild without a restart.
 */
export interface WebBundle {
  index: Blob;
  /** By file name, as served under /assets/. */
  assets: ReadonlyMap<string, Blob>;
}

export interface WebBundleSource {
  /** null when the app has not been built. */
  load(): WebBundle | null;
}

/**
 * How the binary names the files `--asset=dist/web` embedded: Bun keeps the folder's own name
 * ("web/index.html"); the full relative path is accepted too, should that change.
 */
const EMBEDDED_NAME = /^(?:dist\/)?web\/([^/]+)$/;
const INDEX = "index.html";

export const SOURCE_TREE_BUNDLE_DIR = resolve(import.meta.dir, "../../../dist/web");

/** The embedded bundle when this is the compiled binary, else the one on disk in `dir`. */
export function webBundleSource(
  dir = SOURCE_TREE_BUNDLE_DIR,
  embeddedFiles: readonly Blob[] = Bun.embeddedFiles,
): WebBundleSource {
  const embedded = embeddedBundle(embeddedFiles);
  if (embedded) return { load: () => embedded };
  return directoryBundleSource(dir);
}

/** Re-read when index.html changes: a rebuild rewrites it last, with new asset names. */
export function directoryBundleSource(dir: string): WebBundleSource {
  let seen: { mtimeMs: number; bundle: WebBundle } | null = null;
  return {
    load() {
      const indexPath = join(dir, INDEX);
      const mtimeMs = statSync(indexPath, { throwIfNoEntry: false })?.mtimeMs;
      if (mtimeMs === undefined) return null;
      if (seen?.mtimeMs === mtimeMs) return seen.bundle;
      const assets = new Map<string, Blob>();
      for (const name of readdirSync(dir)) {
        if (name !== INDEX) assets.set(name, Bun.file(join(dir, name)));
      }
      seen = { mtimeMs, bundle: { index: Bun.file(indexPath), assets } };
      return seen.bundle;
    },
  };
}

export function embeddedBundle(files: readonly Blob[]): WebBundle | null {
  let index: Blob | undefined;
  const assets = new Map<string, Blob>();
  for (const file of files) {
    const relative = EMBEDDED_NAME.exec((file as Blob & { name?: string }).name ?? "")?.[1];
    if (!relative) continue;
    if (relative === INDEX) index = file;
    else assets.set(relative, file);
  }
  return index ? { index, assets } : null;
}

/** For tests and servers without a built app. */
export const noWebBundle: WebBundleSource = { load: () => null };
