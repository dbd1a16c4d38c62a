// What the Rust example's test borrows from the browser suite: Chromium's path and flags.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export { launch, limit, withTimeout } from "../browser/browser.mjs";
export const ROOT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
