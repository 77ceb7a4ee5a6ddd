"""The seller studio: the website's listing editor under dashboard/listings/.

Each page calls the service the seller listings API calls; nothing here decides a rule.
"""
