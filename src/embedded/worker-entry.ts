/** The script cluster workers run in embedded mode (primary.ts forks them). */
import { runWorker } from "./worker.js";

runWorker();
