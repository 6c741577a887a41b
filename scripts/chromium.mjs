// How every test and bench starts Debian's Chromium (no browser downloads here): headless,
// no sandbox, no GPU, no background networking. The one definition of those flags.
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

