"""Notification channels besides email (WeCom and DingTalk group robots, a generic JSON webhook):
transport.py posts one message, deliveries.py queues, retries and records them."""
