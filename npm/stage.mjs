// `npm pack` in this folder runs this first (prepack): it copies the prebuilt files of the
// repository's pkg/ (what scripts/build.sh makes) and the licence files into this package, so
// the tarball holds them at stable paths (pkg/aisle.js, pkg/aisle_core_bg.wasm,
// pkg/aisle-debug.js). It refuses to pack a loader whose version is not this package's.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const SHIPPED = ['aisle.js', 'aisle_core_bg.wasm', 'aisle-debug.js'];
const LICENCES = ['LICENSE-MIT', 'LICENSE-APACHE'];

const { version } = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
mkdirSync(join(here, 'pkg'), { recursive: true });
for (const file of SHIPPED) {
  const source = join(root, 'pkg', file);
  if (!existsSync(source)) {
    console.error(`npm/stage.mjs: ${source} is missing; run \`bash scripts/build.sh\` first`);
    process.exit(1);
  }
  copyFileSync(source, join(here, 'pkg', file));
}
const loader = readFileSync(join(here, 'pkg', 'aisle.js'), 'utf8');
if (!loader.includes(`"${version}"`) && !loader.includes(`'${version}'`)) {
  console.error(`npm/stage.mjs: pkg/aisle.js does not carry version ${version} (npm/package.json); bump both together`);
  process.exit(1);
}
for (const file of LICENCES) copyFileSync(join(root, file), join(here, file));
