"""The staff web console: intakes, appointments, questions and content health in a browser."""
