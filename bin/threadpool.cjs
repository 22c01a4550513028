'use strict';
// Sizes libuv's thread pool, which runs the Argon2id hashes, to one thread per core (at least two,
// so a file read or a DNS lookup for SMTP is never stuck behind a single 30 ms hash), unless the
// operator set UV_THREADPOOL_SIZE. libuv reads the variable once, when the pool starts, and Node's
// ES module loader starts it (asynchronous file reads) before an ES module's first line runs: this
// file must be CommonJS and run first — required by bin/twofold.cjs, preloaded (--require) by the
// bench. Why one per core: decision 014.
process.env.UV_THREADPOOL_SIZE ||= String(Math.max(2, require('node:os').availableParallelism()));
