"""The staff dashboard's presentation: matplotlib charts (`charts.py`) and Jinja templates; routes in `ui/routes/admin.py`."""
