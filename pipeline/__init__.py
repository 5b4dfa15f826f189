"""newswatch core: plain-Python stages of the news-monitoring pipeline.

Nothing in this package imports Airflow. The DAGs in ``dags/`` and the ``newswatch`` CLI both
call the same stage functions: ``feeds``, ``scrape``, ``extract``, ``classify``, ``facts``,
``load`` and ``alerts``.
"""
