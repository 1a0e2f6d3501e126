"""The build pipeline: tasks (one per talk), stages, and the session that drives them."""

from .session import BuildResult, BuildSession, Options, build
from .tasks import TalkTask

__all__ = [
    "BuildResult",
    "BuildSession",
    "Options",
    "TalkTask",
    "build",
]
