#!/usr/bin/env node
// A launcher that is there before `npm install` builds dist/ (npm links the bins of a clone's
// workspaces first, and skips a target that does not exist yet).
import '../dist/cli/eventer.js';
