# Repeater production image: one image for web (daphne / uvicorn) and Celery workers.
#   docker build -t repeater .
#   docker run -e DEBUG=false -e SECRET_KEY=… -e DATABASE_URL=… -e REDIS_URL=… -p 8000:8000 repeater
#   docker run … repeater celery -A tiktok worker --concurrency=2
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

RUN useradd --create-home --uid 1000 repeater
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Static files are collected at build time (whitenoise serves them, hashed and compressed).
RUN DEBUG=false SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/media /app/private_media && chown -R repeater /app/media /app/private_media

USER repeater
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "tiktok.asgi:application"]
