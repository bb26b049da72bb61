"""Tests of kg.views (package so its module names cannot clash with other test folders)."""
