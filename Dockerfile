# Node 24 image; the app runs TypeScript directly with Node's type stripping (no build step).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY mikro-orm.config.ts tsconfig.json ./
COPY src ./src
COPY migrations ./migrations
COPY slack ./slack
EXPOSE 8000
USER node
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:8000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The same V8 memory flags as `npm start` (see package.json and BENCHMARKS.md).
CMD ["node", "--max-semi-space-size=4", "--max-old-space-size=160", "src/main.ts"]
