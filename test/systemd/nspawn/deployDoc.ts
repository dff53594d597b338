/**
 * The install steps of docs/deploy.md as a script, so the real-systemd test installs mlserve
 * exactly as a reader would and fails when the page and the shipped files drift apart.
 */

/** Lines of the page's shell blocks that the test does differently, and why. */
const SKIPPED: [RegExp, string][] = [
  [/^\s*apt-get /, 'the rootfs is built with nginx, jq and curl; node is the host\'s, bind-mounted as /usr/bin/node'],
  [/^\s*node --version/, 'the host\'s node'],
  [/^\s*git clone /, 'the repository under test is bind-mounted read-only as /opt/mlserve'],
  [/^\s*cd \/opt\/mlserve\s*$/, 'the build (npm ci = tsc) already ran on the host'],
  [/^\s*npm /, 'the build already ran on the host (npm test runs tsc first)'],
  [/^\s*chown -R root:root \/opt\/mlserve/, 'a read-only bind mount'],
];

/** The ```lang blocks of one `## ` section of a markdown page, in order. */
export function sectionBlocks(markdown: string, heading: RegExp, lang: string): string[] {
  const sections = markdown.split(/^(?=## )/m);
  const section = sections.find((s) => heading.test(s.split('\n')[0]!));
  if (!section) throw new Error(`docs/deploy.md has no section matching ${heading}`);
  return [...section.matchAll(new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm'))].map((m) => m[1]!);
}

/**
 * The shell script of docs/deploy.md's "1. Install" section: its sh blocks in order, with the
 * ini block written where the page says `/path/to/mlserve.ini`, minus the SKIPPED lines.
 * `ini` rewrites the page's ini (the test runs 2 workers on a 2-core machine, not 4).
 */
export function installScript(markdown: string, ini: (text: string) => string): string {
  const heading = /^## 1\. Install/;
  const [iniText] = sectionBlocks(markdown, heading, 'ini');
  if (!iniText) throw new Error('docs/deploy.md "1. Install" has no ini block');
  const lines = sectionBlocks(markdown, heading, 'sh').join('\n').split('\n');
  const kept = lines.filter((line) => !SKIPPED.some(([re]) => re.test(line)));
  return [
    'set -e',
    "cat > /root/mlserve.ini <<'INI'",
    ini(iniText).trimEnd(),
    'INI',
    ...kept.map((l) => l.replace('/path/to/mlserve.ini', '/root/mlserve.ini')),
  ].join('\n');
}
