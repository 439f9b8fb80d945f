"""Celery task of the REST sync's removal log: a thin wrapper around projects.services.removals_prune.

Safe to run twice and to be killed half-way: the prune is one transaction, and running it again
deletes nothing more than what is by then older than the retention.
"""

import logging

from core.jobs import retrying_task

from .services import removals_prune

logger = logging.getLogger(__name__)


@retrying_task
def prune_removals() -> None:
    logger.info("Removal log pruned: %d entries deleted", removals_prune())
