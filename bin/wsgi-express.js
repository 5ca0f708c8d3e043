#!/usr/bin/env node
// Both `wsgi-express` and `mod_wsgi-express` point here (package.json "bin").
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
