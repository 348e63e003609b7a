"""trustmeter: where does an IT department stand on the road from order taker to trusted partner?"""

__version__ = "0.1.0"
