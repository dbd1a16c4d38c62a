// One throughput measurement in a fresh process:
//   node throughput-child.mjs <library> <url> [settings JSON] [workloads, comma-separated]
// → one line of JSON on stdout (see workloads.mjs, throughput()).
import { loadLibrary } from "./libraries.mjs";
import { throughput, WORKLOADS } from "../workloads.mjs";

const [name, url, settings, only] = process.argv.slice(2);
const lib = await loadLibrary(name);
const workloads = only ? Object.fromEntries(only.split(",").map((k) => [k, WORKLOADS[k]])) : WORKLOADS;
const results = await throughput(lib, name, url, settings ? JSON.parse(settings) : undefined, workloads);
process.stdout.write(JSON.stringify(results) + "\n");
