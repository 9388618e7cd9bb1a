"""Tests that use several apps at once: an app's own tests (``<app>/tests``) import only that app
and the apps below it (docs/architecture.md); these sit above every app, as the top layer."""
