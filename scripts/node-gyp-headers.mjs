#!/usr/bin/env node
// preinstall: where Node's headers are installed locally (Debian's nodejs puts them in
// /usr/include/node) but nodejs.org cannot be reached, give node-gyp those headers so
// native modules (better-sqlite3) compile offline instead of failing on the download.
// Elsewhere this does nothing: prebuilt binaries or the usual header download apply.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const version = process.versions.node;
const headers = process.env.npm_config_nodedir ? join(process.env.npm_config_nodedir, 'include/node') : '/usr/include/node';
const versionH = join(headers, 'node_version.h');
const devDir = join(process.env.npm_config_devdir || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'node-gyp'), version);

function headersVersion() {
  const text = readFileSync(versionH, 'utf8');
  const part = (name) => text.match(new RegExp(`#define ${name} (\\d+)`))?.[1];
  return `${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
}

try {
  if (!existsSync(join(devDir, 'installVersion')) && existsSync(join(headers, 'common.gypi')) && existsSync(versionH) && headersVersion() === version) {
    mkdirSync(devDir, { recursive: true });
    if (!existsSync(join(devDir, 'include'))) symlinkSync(join(headers, '..'), join(devDir, 'include'));
    // node-gyp re-downloads when this is below the version it expects (11 today).
    writeFileSync(join(devDir, 'installVersion'), '99\n');
    console.log(`node-gyp: using the local Node ${version} headers in ${headers}`);
  }
} catch (error) {
  // Never block an install: without this, node-gyp simply does what it always does.
  console.warn(`node-gyp headers: skipped (${error instanceof Error ? error.message : error})`);
}
