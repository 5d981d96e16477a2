# The API and oracles image for deploy/production/compose.yaml. The contracts' artifacts
# are committed, so the image needs neither node nor solc; it talks to the Besu
# validators, the NATS cluster and PostgreSQL given in the environment (TEM_*).
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY . .
RUN pip install --no-cache-dir -c constraints.txt -e ".[postgres]" \
    && useradd --system --home-dir /app tem
USER tem
EXPOSE 8000
CMD ["tem", "serve", "--host", "0.0.0.0", "--port", "8000"]
