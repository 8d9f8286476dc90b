# The image for Strata's own roles (api, stream, worker) in docker-compose.yml.
# bookworm (glibc) because chdb and @duckdb/node-api ship glibc binaries.
FROM node:20-bookworm

WORKDIR /app
COPY . .
# After the copy, and `npm ci` rather than `npm install`: it deletes any node_modules that came
# from the build context (built for the host) and installs exactly the lockfile.
RUN npm ci

ENV NODE_ENV=production STRATA_HOST=0.0.0.0
EXPOSE 3000
# bin/strata.mjs says why the flag, and sizes the libuv pool that chdb queries need.
CMD ["node", "--no-memory-reducer", "bin/strata.mjs", "api"]
