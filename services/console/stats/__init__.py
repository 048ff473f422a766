"""Statistics for supervisors (their regency), provincial operators and auditors (their
province, per regency): figures and charts from intake's statistics, and CSV exports of the
same cases with their progress shown."""
