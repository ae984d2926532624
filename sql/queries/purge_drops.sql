DELETE FROM drop_counts
