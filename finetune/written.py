"""Hand-written training rows: out-of-scope requests by topic, greetings and goodbyes.

Written for variety, never copied from an evaluation set: a store assistant meets every kind of
stray request, and whole topics are held out (`OOS_HELDOUT_TOPICS`) so the held-out score
measures topics never seen in training.
"""

# Out-of-scope topics written for variety (weather, travel, music, ...). Whole topics are
# held out, so the held-out score measures topics never seen in training.
OOS_TOPICS: dict[str, tuple[str, ...]] = {
    "weather": ("what's the weather like tomorrow", "will it rain in Chicago this weekend", "how cold is it outside right now", "is there a storm warning for tonight", "what's the forecast for Paris next week"),
    "travel": ("book me a flight to Denver", "what's a good hotel near the Eiffel Tower", "do I need a visa to visit Japan", "how long is the train ride from Boston to New York", "find me a cheap car rental in Miami"),
    "music": ("play some jazz", "who sang bohemian rhapsody", "put on my workout playlist", "skip this song", "what's the top song on the charts this week"),
    "cooking": ("how long do I boil an egg", "give me a recipe for lasagna", "what can I substitute for buttermilk", "how do I make sourdough starter", "what temperature should chicken be cooked to"),
    "trivia": ("who was the first president of the united states", "how tall is mount everest", "what is the capital of australia", "how many moons does jupiter have", "when did world war two end"),
    "math": ("what is 17 times 23", "convert 5 miles to kilometers", "what's the square root of 144", "how many ounces are in a cup", "solve 3x plus 5 equals 20"),
    "smalltalk": ("tell me a joke", "what's your favorite color", "are you a robot", "do you have feelings", "what's the meaning of life"),
    "health": ("what are the symptoms of the flu", "how much water should I drink a day", "is ibuprofen safe with coffee", "book a doctor's appointment for me", "how many calories are in an apple"),
    "finance": ("what's the stock price of apple", "how do I file my taxes", "should I invest in bitcoin", "what's my credit score", "what is the current mortgage rate"),
    "car": ("when is my car due for an oil change", "how do I check my tire pressure", "what does the check engine light mean", "schedule a car wash", "how much gas does my car have"),
    "reminders": ("set an alarm for 6 am", "remind me to call mom tomorrow", "add dentist to my calendar on friday", "set a timer for ten minutes", "what's on my schedule today"),
    "sports": ("who won the game last night", "when does the world cup start", "what's the score of the lakers game", "how many points did messi score this season", "who is the best tennis player ever"),
    "language": ("how do you say thank you in french", "translate good morning to spanish", "what does ubiquitous mean", "spell necessary", "what's a synonym for happy"),
    "home": ("turn off the living room lights", "set the thermostat to 70 degrees", "lock the front door", "is the garage door open", "start the robot vacuum"),
    "news": ("what's in the news today", "who won the election", "any updates on the hurricane", "read me the headlines", "what happened in the stock market today"),
    "jobs": ("help me write my resume", "how do I ask for a raise", "what jobs are hiring near me", "how many vacation days do I have left", "when is my next payday"),
    # More topics and phrasings (issue 5): a store assistant meets every kind of stray request.
    "time": ("what time is it in tokyo", "what's today's date", "what day of the week is it", "how many days until christmas", "what time zone is london in", "is it daylight saving time now"),
    "games": ("flip a coin for me", "roll a six sided die", "pick a random number between 1 and 10", "let's play a game", "tell me a riddle", "who would win in a fight, a lion or a tiger"),
    "meta": ("what's your name", "who made you", "can I call you jarvis", "switch your language to german", "how old are you", "what can you not do"),
    "movies": ("what movies are playing tonight", "recommend a good tv series to binge", "who directed inception", "when does the new marvel film come out", "is the book better than the movie"),
    "pets": ("how often should I feed my puppy", "why is my cat sneezing", "what vaccines does a kitten need", "how do I stop my dog barking at night", "can rabbits eat carrots"),
    "school": ("help me with my chemistry homework", "when is the deadline for college applications", "explain photosynthesis", "what's a good topic for my essay", "how do I cite a website in apa"),
    "banking": ("what's the interest rate on my savings account", "how do I transfer money to my brother", "what is my bank balance", "what is my routing number", "when is my loan payment due", "how do I open a checking account"),
    "travel_plans": ("what's the best time to visit iceland", "how early should I get to the airport", "is my flight on time", "where can I exchange currency at the airport", "rent a bike in amsterdam"),
    "tech": ("my wifi keeps dropping", "how do I update my laptop's operating system", "why is my phone battery draining so fast", "how do I take a screenshot on windows", "reset my router"),
    "people": ("call my sister", "text john that I'm running late", "what's my friend's birthday", "send an email to my boss", "share my location with my wife"),
    "gardening": ("when should I plant tomatoes", "how often do I water a cactus", "why are my rose leaves turning yellow", "what grows well in shade"),
    "creative": ("write a haiku about autumn", "compose a limerick about my boss", "draft a toast for my sister's wedding",
                 "write a short story about a dragon", "make up a song about pizza", "give me a rhyme for orange"),
    "errands": ("order me a pizza for delivery", "book a table for two at an italian place", "buy tickets for the concert on friday",
                "reserve a hotel room in denver", "hire a plumber for tomorrow", "get me a taxi to the station"),
    # Everyday questions an assistant hears that no shop answers (issue 14: written for variety, not from the dev set).
    "facts": ("who invented the telephone", "what is the population of canada", "how far away is the moon",
              "what's the tallest building in the world", "who wrote pride and prejudice", "what year did the titanic sink"),
    "nutrition": ("how many calories are in a slice of pizza", "is coffee bad for your heart", "how much protein is in an egg",
                  "is it safe to eat raw cookie dough", "how much sugar is in a can of soda"),
    "todo": ("add milk to my grocery list", "what's on my to do list today", "remind me to water the plants",
             "did I schedule anything for friday", "clear all my reminders", "read my notes back to me"),
    "restaurants": ("find a good sushi place nearby", "is the thai restaurant on main street open now",
                    "make a dinner reservation for four at seven", "what's the best burger joint in town"),
    "travel_info": ("what currency do they use in japan", "what's the time difference with sydney",
                    "is it safe to travel to egypt right now", "what should I see in lisbon", "how do I get a travel visa for india"),
    "science": ("why is the sky blue", "how do black holes form", "when did the roman empire fall", "what is dna made of",
                "how does a rainbow form", "what's the speed of light"),
    "opinions": ("what's your opinion on politics", "who will win the next election", "is pineapple on pizza acceptable",
                 "what's the best movie ever made", "are cats better than dogs"),
    "words": ("how do you spell restaurant", "what does serendipity mean", "give me a word that rhymes with cat",
              "is it affect or effect", "what's the plural of cactus"),
    "government": ("how do I renew my passport", "what's the speed limit on the highway", "how do I register to vote",
                   "can my landlord raise the rent", "when are taxes due this year"),
    "transport": ("how's the traffic on the way to work", "when is the next bus downtown", "find a parking spot near the stadium", "how far is it to the nearest gas station", "get me an uber to the airport"),
}
OOS_HELDOUT_TOPICS = ("sports", "language", "home", "news", "jobs", "pets", "transport")

GREETINGS = ("hi", "hello", "hey", "hey there", "hello there", "good morning", "good afternoon", "good evening",
             "hi, how are you?", "hiya", "howdy", "yo", "hello, anyone there?", "hi! i need some help",
             "greetings", "morning!", "hey, how's it going", "hi there, nice to meet you", "what's up", "hello assistant",
             "hi, is anyone there", "good day", "hey, hi", "hello, how are you doing today", "hi, I have a question",
             "hey bot", "hello friend", "sup", "heya", "hi again", "how are things", "nice to meet you", "hello, can you hear me",
             "hey, good morning", "evening", "hi hi", "hey hey", "yo what's good", "hello hello", "hi bot",
             "good evening assistant", "how's your day going", "how have you been", "hey, you there?", "hola",
             "what's happening", "howdy there", "g'day", "hey buddy", "hi friend, how are things", "hello, is this the shop?")
GOODBYES = ("bye", "goodbye", "thanks, that's all", "thank you so much", "see you later", "cheers, bye",
            "have a nice day", "thanks for the help", "that's everything, goodbye", "ok thanks bye", "talk to you later",
            "thank you!", "thanks a lot", "i appreciate your help", "great, thank you", "bye for now", "that is all for today",
            "thanks, you've been very helpful", "see ya", "many thanks",
            "thank you very much", "thanks!", "thx", "that helped, thanks", "appreciate it", "thanks a bunch", "good night",
            "catch you later", "farewell", "i'm done, bye", "that's all I needed", "thanks for your time", "take care",
            "you've been a great help", "ok, that's it for now", "talk soon", "bye bye", "thanks again", "have a good one",
            "cheers", "i'm grateful for your help", "you've been a star", "cheers mate", "much obliged",
            "nice chatting with you", "until we meet again", "that was helpful, bye now", "take it easy", "ciao", "adios",
            "thanks a million", "you rock, thanks", "that's all i needed, thank you", "have a good night",
            "great chat, see ya", "thank you kindly", "appreciate the help", "you helped a lot", "glad you could help",
            "it was nice talking to you", "i'm very thankful")
