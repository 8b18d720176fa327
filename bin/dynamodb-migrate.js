#!/usr/bin/env node
// The `dynamodb-migrate` command: the bundled CLI (npm run bundle builds dist/cli from src/cli.ts).
import '../dist/cli/index.js'
