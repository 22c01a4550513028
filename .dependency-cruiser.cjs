/**
 * The layering of DESIGN.md §3, checked by `npm test`: http/cli → domain → db, crypto; main.ts alone
 * wires the database to the services. Type-only imports count too.
 */
module.exports = {
  forbidden: [
    {
      name: 'http-not-db',
      comment: 'http reaches the database only through domain services',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/db/' },
    },
    {
      name: 'cli-not-db',
      comment: 'the CLI gets its services from the composition root (src/main.ts)',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/db/' },
    },
    {
      name: 'db-not-upward',
      comment: 'db knows nothing of the domain, http or the CLI',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/(domain|http|cli|mail)/' },
    },
    {
      name: 'domain-not-http',
      comment: 'the domain is used by http and the CLI, never the other way round',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(http|cli)/|^src/main\\.ts$' },
    },
    {
      name: 'crypto-is-a-leaf',
      comment: 'crypto depends on no other layer',
      severity: 'error',
      from: { path: '^src/crypto/' },
      to: { path: '^src/(db|domain|http|cli|mail|config)/' },
    },
    {
      name: 'only-main-opens-the-database',
      comment: 'main.ts is the only place that wires the database to services',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main\\.ts$|^src/db/' },
      to: { path: '^src/db/(database|store|group-commit)\\.ts$' },
    },
    { name: 'no-circular', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.tsx?$' },
  },
};
