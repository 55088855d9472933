"""Mood and tag words, shared by the catalog's items (moods from artist genres), the predictor's
features (moods in playlist names) and the recommender's item data."""

# Canonical mood/tag words found in playlist names and tags ("chill", "workout", "sad", "party").
MOODS = {
    "chill": ["chill", "chilled", "chillout", "relax", "relaxing", "calm", "mellow", "lounge", "lazy", "easy"],
    "sleep": ["sleep", "sleeping", "bedtime", "night", "lullaby"],
    "focus": ["focus", "study", "studying", "concentration", "work", "coding", "reading"],
    "workout": ["workout", "gym", "running", "run", "training", "cardio", "fitness", "beast", "pump"],
    "party": ["party", "club", "banger", "bangers", "turn", "lit", "hype", "festival", "pregame"],
    "dance": ["dance", "dancing", "dancefloor", "groove", "disco", "house", "edm", "electro", "techno"],
    "happy": ["happy", "feel", "good", "sunny", "summer", "upbeat", "fun", "joy", "positive", "energetic"],
    "sad": ["sad", "heartbreak", "broken", "cry", "crying", "melancholy", "depressing", "rainy", "lonely"],
    "love": ["love", "romantic", "romance", "valentine", "sexy", "date"],
    "angry": ["angry", "rage", "aggressive", "hard", "heavy", "metal", "punk", "mosh"],
    "acoustic": ["acoustic", "unplugged", "folk", "singer", "songwriter", "coffee", "cafe", "piano"],
    "instrumental": ["instrumental", "classical", "ambient", "soundtrack", "score", "orchestral", "jazz", "lofi", "beats"],
    "rap": ["rap", "hip", "hop", "hiphop", "trap", "drill", "grime"],
    "rock": ["rock", "guitar", "grunge", "indie", "alternative", "alt"],
    "pop": ["pop", "hits", "charts", "radio", "mainstream"],
    "latin": ["latin", "latino", "reggaeton", "salsa", "bachata", "spanish", "cumbia"],
    "rnb": ["r", "b", "rnb", "soul", "funk", "motown", "neo"],
    "throwback": ["throwback", "oldies", "classic", "classics", "retro", "vintage", "80s", "90s", "70s", "60s"],
    "live": ["live", "concert", "session", "sessions"],
    "country": ["country", "americana", "bluegrass", "irish", "celtic", "western"],
}
MOOD_NAMES = list(MOODS)
WORD_TO_MOOD = {w: i for i, words in enumerate(MOODS.values()) for w in words}
