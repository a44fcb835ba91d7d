"""stub"""
def extract_tallies(text, published, terms):
    return []
