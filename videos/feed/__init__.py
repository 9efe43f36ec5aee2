"""The For You recommender.

candidates.py  where candidates come from (followed, engaged tags/sounds/creators, co-engagement
               neighbours, trending, the exploration pool, fresh uploads)
scoring.py     pure functions: the viewer profile from signals, predictions, the weighted score
ranking.py     pure functions: eligibility rules and the re-rank (diversity, exploration share)
precompute.py  the periodic refresh (Celery beat + `manage.py feed_refresh`); tasks.py
state.py       the refresh's output: FeedState rows, read through the Django cache
service.py     the entry point: one page of For You for one viewer (selectors.feed_for_you)
events.py      writes: watch events, "not interested", hidden creators, interests
reasons.py     "Why am I seeing this?" codes and their translatable texts
admin.py       the recommender's models in the admin (imported by videos/admin.py)

docs/FEED.md describes signals, sources, weights, re-ranking, cold start and the refresh.
"""
