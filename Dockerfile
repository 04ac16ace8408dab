# syntax=docker/dockerfile:1
#
#   docker build -t kanbun .
#   openssl rand -base64 48 > jwt-secret.txt    # once: a new secret signs everyone out
#   docker run -d --name kanbun -p 3000:3000 -v kanbun-data:/data \
#     -e JWT_SECRET="$(cat jwt-secret.txt)" -e APP_URL=https://tasks.example.com kanbun
#   docker exec -it kanbun kanbun users create --username admin --email a@example.com \
#     --role superadmin                          # asks for the password
#
# docs/deploy/compose.yaml runs it behind Caddy with HTTPS.

# Build: the same Bun as package.json "packageManager", so the binary matches CI's.
FROM oven/bun:1.4.4 AS build
WORKDIR /src
COPY package.json bun.lock bunfig.toml ./
RUN bun install --frozen-lockfile
COPY . .
RUN bun run build && ./dist/kanbun version

# Runtime: the compiled binary links glibc, so a slim glibc base; it needs nothing else (the
# migrations, the docs assets and the web app are embedded). bash, part of the base, runs the health check.
FROM debian:bookworm-slim
# The data folder is the kanbun user's alone: it holds password and token hashes.
RUN useradd --system --user-group --uid 10001 --home-dir /data --no-create-home \
      --shell /usr/sbin/nologin kanbun \
 && mkdir -m 700 /data \
 && chown kanbun:kanbun /data
COPY --from=build /src/dist/kanbun /usr/local/bin/kanbun

# serve refuses to start without JWT_SECRET (at least 32 characters); the other commands
# (migrate, backup, restore, users) sign nothing and run without it.
ENV NODE_ENV=production \
    DATABASE_PATH=/data/kanbun.db \
    HOST=0.0.0.0 \
    PORT=3000
USER kanbun
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000

# No curl in the image: bash's /dev/tcp speaks just enough HTTP to read /health's status line.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-3000} && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]"]

# SIGTERM lets in-flight requests finish and closes the database cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/kanbun"]
CMD ["serve"]
