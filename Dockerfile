# One image for every OptiInfra process; the command picks which (`serve supervisor`, …).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
USER node
ENTRYPOINT ["node", "--import", "tsx", "cli/main.ts"]
