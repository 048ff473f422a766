"""RabbitMQ adapter: topology, a confirming publisher and a resilient consumer."""
