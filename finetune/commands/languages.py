"""Spanish, French and German words for the command generator: product names, asking frames, store questions.

Written by hand for the demo store's 76 product types and 14 categories (`data/demo/catalog.jsonl`), so that
training messages such as "¿tienen cafeteras?" map to the same commands as their English versions
(`search type="coffee maker" cat=kitchen`). Every structure is keyed by language code: "es", "fr", "de".

Names come plural-first: the first name of a type is the form a shopper asks with ("cafeteras", "cafetières",
"Kaffeemaschinen"); singular forms and synonyms follow. The frames are written for that plural (or mass-noun)
form: French frames use "des {p}" or article-free turns ("vous avez quoi comme {p} ?"), German frames only put
{p} where a plural takes the accusative/nominative (so "kabellose Ohrhörer" stays grammatical), and Spanish frames
avoid gender and number agreement with {p}. Placeholders: {p} the product phrase, {n} an amount in US dollars.
German nouns are capitalised; everything else is lower case.
"""

from __future__ import annotations

LANGUAGES = ("es", "fr", "de")

# -- product types (keys are the catalog's tags[1], exactly) ----------------------------------------------------
TYPE_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    # headphones
    "over-ear headphones": {
        "es": ("auriculares de diadema", "cascos de diadema", "auriculares over-ear", "cascos grandes"),
        "fr": ("casques audio", "casque audio", "casques circum-auriculaires", "casques over-ear"),
        "de": ("Over-Ear-Kopfhörer", "Bügelkopfhörer", "ohrumschließende Kopfhörer"),
    },
    "sports earbuds": {
        "es": ("auriculares deportivos", "auriculares para correr", "auriculares de deporte", "auriculares para el gimnasio"),
        "fr": ("écouteurs de sport", "écouteurs sport", "écouteurs pour courir"),
        "de": ("Sportkopfhörer", "Sport-Ohrhörer", "Kopfhörer zum Laufen", "Sport-In-Ear-Kopfhörer"),
    },
    "wireless earbuds": {
        "es": ("auriculares inalámbricos", "auriculares bluetooth", "auriculares sin cable", "auricular inalámbrico"),
        "fr": ("écouteurs sans fil", "écouteurs bluetooth", "écouteur sans fil", "oreillettes bluetooth"),
        "de": ("kabellose Ohrhörer", "Bluetooth-Kopfhörer", "kabellose In-Ear-Kopfhörer", "True-Wireless-Kopfhörer"),
    },
    "noise-cancelling headphones": {
        "es": ("auriculares con cancelación de ruido", "cascos con cancelación de ruido",
               "auriculares con cancelación activa de ruido", "auriculares antirruido"),
        "fr": ("casques à réduction de bruit", "casque à réduction de bruit", "casques anti-bruit",
               "casques avec réduction de bruit active"),
        "de": ("Noise-Cancelling-Kopfhörer", "Kopfhörer mit Geräuschunterdrückung", "ANC-Kopfhörer",
               "Kopfhörer mit aktiver Geräuschunterdrückung"),
    },
    "studio headphones": {
        "es": ("auriculares de estudio", "cascos de estudio", "auriculares de monitorización", "auriculares para grabar"),
        "fr": ("casques de studio", "casque de studio", "casques de monitoring"),
        "de": ("Studiokopfhörer", "Studio-Kopfhörer", "Monitor-Kopfhörer"),
    },
    # laptops
    "chromebook": {
        "es": ("chromebooks", "chromebook", "portátiles chromebook"),
        "fr": ("chromebooks", "chromebook", "ordinateurs chromebook"),
        "de": ("Chromebooks", "Chromebook"),
    },
    "gaming laptop": {
        "es": ("portátiles gaming", "portátiles para juegos", "portátil gaming", "laptops gamer"),
        "fr": ("pc portables gamer", "ordinateurs portables gaming", "pc portable gamer", "portables pour jouer"),
        "de": ("Gaming-Laptops", "Gaming-Laptop", "Gaming-Notebooks", "Laptops zum Zocken"),
    },
    "ultrabook": {
        "es": ("ultrabooks", "ultrabook", "portátiles ultraligeros", "portátil ultrafino"),
        "fr": ("ultrabooks", "ultrabook", "pc portables ultrafins", "ordinateurs portables ultralégers"),
        "de": ("Ultrabooks", "Ultrabook", "ultraleichte Laptops", "flache Notebooks"),
    },
    "2-in-1 laptop": {
        "es": ("portátiles 2 en 1", "portátiles convertibles", "portátil 2 en 1", "portátil convertible"),
        "fr": ("pc portables 2 en 1", "pc convertibles", "ordinateurs hybrides", "ordinateur portable 2 en 1"),
        "de": ("2-in-1-Laptops", "Convertibles", "Convertible-Notebooks", "2-in-1-Notebook"),
    },
    "business laptop": {
        "es": ("portátiles para empresa", "portátiles profesionales", "portátiles de oficina", "portátil para trabajar"),
        "fr": ("pc portables professionnels", "ordinateurs portables pro", "pc portable pour le travail",
               "portables pour le bureau"),
        "de": ("Business-Laptops", "Business-Notebooks", "Laptops fürs Büro", "Arbeitslaptop"),
    },
    # smartphones
    "smartphone": {
        "es": ("smartphones", "móviles", "teléfonos móviles", "celulares"),
        "fr": ("smartphones", "téléphones portables", "smartphone", "mobiles"),
        "de": ("Smartphones", "Handys", "Smartphone", "Handy"),
    },
    "camera phone": {
        "es": ("móviles con buena cámara", "teléfonos con buena cámara", "móvil para fotos", "celulares con buena cámara"),
        "fr": ("smartphones photo", "téléphones avec un bon appareil photo", "smartphone avec une bonne caméra",
               "mobiles pour la photo"),
        "de": ("Kamera-Handys", "Handys mit guter Kamera", "Smartphones mit guter Kamera", "Fotohandy"),
    },
    "budget phone": {
        "es": ("móviles baratos", "smartphones económicos", "móvil barato", "teléfonos de gama baja"),
        "fr": ("smartphones pas chers", "téléphones pas chers", "portable pas cher", "smartphones d'entrée de gamme"),
        "de": ("günstige Handys", "billige Smartphones", "Einsteiger-Smartphones", "Billighandy"),
    },
    "compact phone": {
        "es": ("móviles pequeños", "móviles compactos", "smartphones compactos", "móvil pequeño"),
        "fr": ("smartphones compacts", "petits téléphones", "téléphones compacts", "petit smartphone"),
        "de": ("kompakte Smartphones", "kleine Handys", "Kompakt-Smartphones", "kleines Handy"),
    },
    # cameras
    "action camera": {
        "es": ("cámaras deportivas", "cámaras de acción", "cámara deportiva", "cámaras tipo gopro"),
        "fr": ("caméras sport", "caméras d'action", "caméra sportive", "caméras embarquées"),
        "de": ("Actioncams", "Action-Kameras", "Actioncam", "Helmkameras"),
    },
    "mirrorless camera": {
        "es": ("cámaras sin espejo", "cámaras mirrorless", "cámara sin espejo", "cámaras de objetivos intercambiables"),
        "fr": ("appareils photo hybrides", "appareil photo hybride", "boîtiers hybrides", "appareils sans miroir"),
        "de": ("spiegellose Kameras", "Systemkameras", "Systemkamera", "DSLMs"),
    },
    "instant camera": {
        "es": ("cámaras instantáneas", "cámara instantánea", "cámaras polaroid", "cámaras de fotos instantáneas"),
        "fr": ("appareils photo instantanés", "appareil photo instantané", "polaroids", "appareils à impression instantanée"),
        "de": ("Sofortbildkameras", "Sofortbildkamera", "Polaroid-Kameras"),
    },
    "webcam": {
        "es": ("webcams", "webcam", "cámaras web", "cámaras para el ordenador"),
        "fr": ("webcams", "webcam", "caméras web", "caméras pour ordinateur"),
        "de": ("Webcams", "Webcam", "Webkameras", "PC-Kameras"),
    },
    "vlogging camera": {
        "es": ("cámaras para vlog", "cámaras para vlogging", "cámara para youtube", "cámaras para creadores de contenido"),
        "fr": ("caméras pour vlog", "caméra vlog", "appareils pour vlogger", "caméras pour youtube"),
        "de": ("Vlogging-Kameras", "Vlog-Kameras", "Vlogkamera", "YouTube-Kameras"),
    },
    # jackets
    "down parka": {
        "es": ("plumíferos", "parkas de plumas", "abrigos de plumas", "plumífero"),
        "fr": ("doudounes", "doudoune", "parkas en duvet", "parkas doudoune"),
        "de": ("Daunenparkas", "Daunenjacken", "Daunenmäntel", "Daunenparka"),
    },
    "windbreaker": {
        "es": ("cortavientos", "chaquetas cortavientos", "rompevientos"),
        "fr": ("coupe-vent", "vestes coupe-vent", "blousons coupe-vent"),
        "de": ("Windjacken", "Windbreaker", "Windjacke"),
    },
    "rain jacket": {
        "es": ("chubasqueros", "chaquetas impermeables", "impermeables", "chubasquero"),
        "fr": ("vestes de pluie", "imperméables", "k-way", "veste imperméable"),
        "de": ("Regenjacken", "Regenjacke", "wasserdichte Jacken"),
    },
    "softshell jacket": {
        "es": ("chaquetas softshell", "chaqueta softshell", "softshells"),
        "fr": ("vestes softshell", "veste softshell", "softshells"),
        "de": ("Softshelljacken", "Softshelljacke", "Softshell-Jacken"),
    },
    "fleece jacket": {
        "es": ("forros polares", "chaquetas polares", "forro polar", "polares"),
        "fr": ("polaires", "vestes polaires", "polaire", "vestes en polaire"),
        "de": ("Fleecejacken", "Fleecejacke", "Fleece-Jacken"),
    },
    # shoes
    "sneakers": {
        "es": ("zapatillas", "zapatillas deportivas", "deportivas", "tenis"),
        "fr": ("baskets", "sneakers", "basket", "tennis"),
        "de": ("Sneaker", "Turnschuhe", "Sneakers", "Freizeitschuhe"),
    },
    "running shoes": {
        "es": ("zapatillas de running", "zapatillas para correr", "zapatillas de correr", "tenis para correr"),
        "fr": ("chaussures de running", "chaussures de course", "baskets de running", "chaussure de running"),
        "de": ("Laufschuhe", "Laufschuh", "Joggingschuhe", "Running-Schuhe"),
    },
    "sandals": {
        "es": ("sandalias", "sandalia", "sandalias de verano"),
        "fr": ("sandales", "sandale", "nu-pieds"),
        "de": ("Sandalen", "Sandale", "Sommersandalen"),
    },
    "trail runners": {
        "es": ("zapatillas de trail", "zapatillas de trail running", "zapatillas de montaña",
               "zapatillas para correr por montaña"),
        "fr": ("chaussures de trail", "chaussure de trail", "baskets de trail", "chaussures de trail running"),
        "de": ("Trailrunning-Schuhe", "Trailschuhe", "Traillaufschuhe", "Trailrunner"),
    },
    "hiking boots": {
        "es": ("botas de montaña", "botas de senderismo", "botas de trekking", "bota de montaña"),
        "fr": ("chaussures de randonnée", "chaussures de rando", "chaussures de randonnée montantes", "chaussures de marche"),
        "de": ("Wanderschuhe", "Wanderstiefel", "Bergschuhe", "Trekkingschuhe"),
    },
    # clothing
    "summer dress": {
        "es": ("vestidos de verano", "vestido de verano", "vestidos veraniegos", "vestidos frescos"),
        "fr": ("robes d'été", "robe d'été", "robes légères", "robes pour l'été"),
        "de": ("Sommerkleider", "Sommerkleid", "leichte Kleider", "Kleider für den Sommer"),
    },
    "t-shirt": {
        "es": ("camisetas", "camiseta", "playeras", "remeras"),
        "fr": ("t-shirts", "tee-shirts", "t-shirt", "tshirts"),
        "de": ("T-Shirts", "T-Shirt", "Shirts"),
    },
    "chino trousers": {
        "es": ("pantalones chinos", "chinos", "pantalón chino"),
        "fr": ("pantalons chino", "chinos", "pantalon chino"),
        "de": ("Chinohosen", "Chinos", "Chinohose", "Chino-Hosen"),
    },
    "wool sweater": {
        "es": ("jerséis de lana", "jersey de lana", "suéteres de lana", "chompas de lana"),
        "fr": ("pulls en laine", "pull en laine", "chandails en laine", "pulls de laine"),
        "de": ("Wollpullover", "Wollpullis", "Wollpulli", "Strickpullover aus Wolle"),
    },
    "hoodie": {
        "es": ("sudaderas con capucha", "sudadera con capucha", "hoodies", "buzos con capucha"),
        "fr": ("sweats à capuche", "sweat à capuche", "hoodies", "sweats capuche"),
        "de": ("Hoodies", "Kapuzenpullover", "Hoodie", "Kapuzenpullis"),
    },
    "slim jeans": {
        "es": ("vaqueros ajustados", "vaqueros slim", "jeans slim", "pantalones vaqueros pitillo"),
        "fr": ("jeans slim", "jean slim", "jeans ajustés", "jeans coupe slim"),
        "de": ("Slim-Fit-Jeans", "Slim Jeans", "enge Jeans", "Röhrenjeans"),
    },
    # furniture
    "office chair": {
        "es": ("sillas de oficina", "silla de oficina", "sillas de escritorio", "sillas ergonómicas"),
        "fr": ("chaises de bureau", "chaise de bureau", "fauteuils de bureau", "sièges de bureau"),
        "de": ("Bürostühle", "Bürostuhl", "Schreibtischstühle", "Drehstühle"),
    },
    "bed frame": {
        "es": ("estructuras de cama", "estructura de cama", "bases de cama", "armazones de cama"),
        "fr": ("cadres de lit", "cadre de lit", "structures de lit", "bois de lit"),
        "de": ("Bettgestelle", "Bettgestell", "Bettrahmen"),
    },
    "sofa": {
        "es": ("sofás", "sofá", "sillones"),
        "fr": ("canapés", "canapé", "sofas"),
        "de": ("Sofas", "Sofa", "Couches", "Couch"),
    },
    "standing desk": {
        "es": ("escritorios elevables", "escritorios de pie", "mesas elevables", "escritorio regulable en altura"),
        "fr": ("bureaux assis-debout", "bureau assis-debout", "bureaux réglables en hauteur", "bureaux debout"),
        "de": ("Stehschreibtische", "höhenverstellbare Schreibtische", "Stehpulte", "Steh-Sitz-Schreibtisch"),
    },
    "bookshelf": {
        "es": ("estanterías", "librerías", "estantería para libros", "libreros"),
        "fr": ("bibliothèques", "étagères à livres", "bibliothèque", "étagères"),
        "de": ("Bücherregale", "Bücherregal", "Regale"),
    },
    "coffee table": {
        "es": ("mesas de centro", "mesa de centro", "mesitas de salón", "mesas bajas"),
        "fr": ("tables basses", "table basse", "tables de salon"),
        "de": ("Couchtische", "Couchtisch", "Wohnzimmertische", "Sofatische"),
    },
    # kitchen
    "cast iron skillet": {
        "es": ("sartenes de hierro fundido", "sartén de hierro fundido", "sartenes de hierro", "sartén de fundición"),
        "fr": ("poêles en fonte", "poêle en fonte", "poêlons en fonte"),
        "de": ("Gusseisenpfannen", "gusseiserne Pfannen", "Gusspfanne"),
    },
    "chef knife": {
        "es": ("cuchillos de chef", "cuchillo de cocinero", "cuchillos de cocina", "cuchillo de chef"),
        "fr": ("couteaux de chef", "couteau de chef", "couteaux de cuisine", "couteau de cuisinier"),
        "de": ("Kochmesser", "Küchenmesser", "Chefmesser"),
    },
    "air fryer": {
        "es": ("freidoras de aire", "freidora de aire", "freidoras sin aceite", "airfryer"),
        "fr": ("friteuses sans huile", "friteuse sans huile", "air fryers", "friteuses à air chaud"),
        "de": ("Heißluftfritteusen", "Heißluftfritteuse", "Airfryer", "Fritteusen ohne Öl"),
    },
    "blender": {
        "es": ("batidoras de vaso", "licuadoras", "batidora de vaso", "licuadora"),
        "fr": ("blenders", "mixeurs", "blender", "mixeur"),
        "de": ("Standmixer", "Mixer", "Blender", "Smoothie-Maker"),
    },
    "coffee maker": {
        "es": ("cafeteras", "cafetera", "máquinas de café", "cafeteras de goteo"),
        "fr": ("cafetières", "cafetière", "machines à café", "machine à café"),
        "de": ("Kaffeemaschinen", "Kaffeemaschine", "Kaffeeautomaten", "Filterkaffeemaschinen"),
    },
    "stand mixer": {
        "es": ("batidoras amasadoras", "batidora amasadora", "amasadoras", "batidoras de pie"),
        "fr": ("robots pâtissiers", "robot pâtissier", "batteurs sur socle", "robots de cuisine"),
        "de": ("Küchenmaschinen", "Küchenmaschine", "Knetmaschinen", "Rührmaschinen"),
    },
    # bedding
    "duvet": {
        "es": ("edredones nórdicos", "nórdicos", "edredón nórdico", "edredones"),
        "fr": ("couettes", "couette", "couettes en plumes"),
        "de": ("Bettdecken", "Bettdecke", "Daunendecken", "Steppdecken"),
    },
    "throw blanket": {
        "es": ("mantas para el sofá", "mantas", "manta", "mantas de sofá"),
        "fr": ("plaids", "plaid", "couvertures", "plaids pour canapé"),
        "de": ("Kuscheldecken", "Wohndecken", "Decken", "Sofadecke"),
    },
    "mattress topper": {
        "es": ("toppers", "topper", "sobrecolchones", "toppers de colchón"),
        "fr": ("surmatelas", "sur-matelas", "surmatelas en mousse", "toppers"),
        "de": ("Topper", "Matratzentopper", "Matratzenauflagen", "Matratzen-Topper"),
    },
    "sheet set": {
        "es": ("juegos de sábanas", "juego de sábanas", "sábanas", "sábanas de cama"),
        "fr": ("parures de draps", "jeux de draps", "draps", "parure de lit"),
        "de": ("Bettlaken-Sets", "Bettlaken", "Laken-Sets", "Spannbettlaken-Sets"),
    },
    "pillow": {
        "es": ("almohadas", "almohada", "almohadas para dormir"),
        "fr": ("oreillers", "oreiller"),
        "de": ("Kopfkissen", "Kissen", "Schlafkissen"),
    },
    # fitness
    "resistance bands": {
        "es": ("bandas elásticas", "bandas de resistencia", "gomas elásticas para entrenar", "ligas de resistencia"),
        "fr": ("bandes élastiques", "bandes de résistance", "élastiques de musculation", "bande élastique"),
        "de": ("Fitnessbänder", "Widerstandsbänder", "Gymnastikbänder", "Resistance Bands"),
    },
    "adjustable dumbbells": {
        "es": ("mancuernas ajustables", "mancuernas regulables", "pesas ajustables", "mancuerna ajustable"),
        "fr": ("haltères réglables", "haltère réglable", "haltères ajustables"),
        "de": ("verstellbare Hanteln", "verstellbare Kurzhanteln", "Kurzhanteln", "Hantelset"),
    },
    "exercise bike": {
        "es": ("bicicletas estáticas", "bicicleta estática", "bicis estáticas", "bicicletas de spinning"),
        "fr": ("vélos d'appartement", "vélo d'appartement", "vélos d'intérieur", "vélos de biking"),
        "de": ("Heimtrainer", "Ergometer", "Fahrradtrainer", "Indoor-Bikes"),
    },
    "fitness tracker": {
        "es": ("pulseras de actividad", "pulsera de actividad", "pulseras inteligentes", "monitores de actividad"),
        "fr": ("bracelets connectés", "bracelet connecté", "trackers d'activité", "traqueurs d'activité"),
        "de": ("Fitnesstracker", "Fitnessarmbänder", "Fitness-Tracker", "Aktivitätstracker"),
    },
    "yoga mat": {
        "es": ("esterillas de yoga", "esterilla de yoga", "colchonetas de yoga", "tapetes de yoga"),
        "fr": ("tapis de yoga", "tapis de sol", "tapis pour le yoga"),
        "de": ("Yogamatten", "Yogamatte", "Gymnastikmatten", "Fitnessmatten"),
    },
    "foam roller": {
        "es": ("rodillos de espuma", "rodillo de espuma", "rodillos de masaje", "foam rollers"),
        "fr": ("rouleaux de massage", "rouleau de massage", "rouleaux en mousse", "foam rollers"),
        "de": ("Faszienrollen", "Faszienrolle", "Massagerollen", "Foam Roller"),
    },
    # beauty
    "sunscreen": {
        "es": ("protector solar", "protectores solares", "crema solar", "cremas solares"),
        "fr": ("crèmes solaires", "crème solaire", "écrans solaires", "protections solaires"),
        "de": ("Sonnencreme", "Sonnenschutz", "Sonnenmilch", "Sonnencremes"),
    },
    "beard trimmer": {
        "es": ("recortadoras de barba", "recortadora de barba", "cortabarbas", "perfiladoras de barba"),
        "fr": ("tondeuses à barbe", "tondeuse à barbe", "tondeuses barbe"),
        "de": ("Bartschneider", "Barttrimmer", "Bart-Trimmer"),
    },
    "hair dryer": {
        "es": ("secadores de pelo", "secador de pelo", "secadores", "secadoras de cabello"),
        "fr": ("sèche-cheveux", "sèche cheveux", "séchoirs à cheveux"),
        "de": ("Haartrockner", "Föhne", "Föhn", "Fön"),
    },
    "electric toothbrush": {
        "es": ("cepillos de dientes eléctricos", "cepillos eléctricos", "cepillo eléctrico", "cepillo de dientes eléctrico"),
        "fr": ("brosses à dents électriques", "brosse à dents électrique", "brosses électriques"),
        "de": ("elektrische Zahnbürsten", "elektrische Zahnbürste", "Elektrozahnbürsten", "Schallzahnbürsten"),
    },
    "moisturizer": {
        "es": ("cremas hidratantes", "crema hidratante", "hidratantes", "cremas faciales"),
        "fr": ("crèmes hydratantes", "crème hydratante", "soins hydratants", "hydratants"),
        "de": ("Feuchtigkeitscremes", "Feuchtigkeitscreme", "Gesichtscreme", "Tagescreme"),
    },
    "vitamin C serum": {
        "es": ("sérums de vitamina c", "sérum de vitamina c", "sérum vitamina c"),
        "fr": ("sérums à la vitamine c", "sérum à la vitamine c", "sérum vitamine c"),
        "de": ("Vitamin-C-Seren", "Vitamin-C-Serum", "Vitamin C Serum"),
    },
    # toys
    "plush toy": {
        "es": ("peluches", "peluche", "muñecos de peluche"),
        "fr": ("peluches", "peluche", "doudous"),
        "de": ("Kuscheltiere", "Plüschtiere", "Kuscheltier", "Stofftiere"),
    },
    "jigsaw puzzle": {
        "es": ("puzles", "rompecabezas", "puzzles", "puzle"),
        "fr": ("puzzles", "puzzle"),
        "de": ("Puzzles", "Puzzle", "Puzzlespiele"),
    },
    "remote control car": {
        "es": ("coches teledirigidos", "coche teledirigido", "coches de radiocontrol", "carros a control remoto"),
        "fr": ("voitures télécommandées", "voiture télécommandée", "voitures radiocommandées"),
        "de": ("ferngesteuerte Autos", "ferngesteuertes Auto", "RC-Autos", "RC-Cars"),
    },
    "board game": {
        "es": ("juegos de mesa", "juego de mesa"),
        "fr": ("jeux de société", "jeu de société", "jeux de plateau"),
        "de": ("Brettspiele", "Gesellschaftsspiele", "Brettspiel"),
    },
    "science kit": {
        "es": ("kits de ciencia", "kit de ciencia", "juegos de experimentos", "kits de experimentos"),
        "fr": ("kits scientifiques", "kit de sciences", "coffrets scientifiques", "jeux scientifiques"),
        "de": ("Experimentierkästen", "Experimentierkasten", "Forscherkästen", "Experimentiersets"),
    },
    "building blocks set": {
        "es": ("bloques de construcción", "juegos de construcción", "piezas de construcción", "bloques para construir"),
        "fr": ("jeux de construction", "briques de construction", "blocs de construction", "coffret de construction"),
        "de": ("Bausteine", "Bausteinsets", "Bauklötze", "Baukästen"),
    },
    # outdoor
    "headlamp": {
        "es": ("linternas frontales", "linterna frontal", "frontales", "lámparas frontales"),
        "fr": ("lampes frontales", "lampe frontale", "frontales", "frontale"),
        "de": ("Stirnlampen", "Stirnlampe", "Kopflampen", "Kopflampe"),
    },
    "hiking backpack": {
        "es": ("mochilas de montaña", "mochilas de senderismo", "mochilas de trekking", "mochila de trekking"),
        "fr": ("sacs à dos de randonnée", "sac à dos de rando", "sacs de randonnée", "sac de trekking"),
        "de": ("Wanderrucksäcke", "Wanderrucksack", "Trekkingrucksäcke", "Rucksäcke zum Wandern"),
    },
    "camping stove": {
        "es": ("hornillos de camping", "hornillo de camping", "hornillos de gas", "estufas de camping"),
        "fr": ("réchauds de camping", "réchaud de camping", "réchauds à gaz", "réchaud camping"),
        "de": ("Campingkocher", "Gaskocher", "Outdoor-Kocher"),
    },
    "tent": {
        "es": ("tiendas de campaña", "tienda de campaña", "carpas", "tiendas de camping"),
        "fr": ("tentes", "tente", "tentes de camping"),
        "de": ("Zelte", "Zelt", "Campingzelte"),
    },
    "insulated water bottle": {
        "es": ("botellas térmicas", "botella térmica", "termos", "botellas de agua térmicas"),
        "fr": ("gourdes isothermes", "gourde isotherme", "bouteilles isothermes", "thermos"),
        "de": ("Thermosflaschen", "isolierte Trinkflaschen", "Thermoflasche", "Isolierflaschen"),
    },
    "sleeping bag": {
        "es": ("sacos de dormir", "saco de dormir", "bolsas de dormir"),
        "fr": ("sacs de couchage", "sac de couchage", "sacs de couchage pour le camping"),
        "de": ("Schlafsäcke", "Schlafsack", "Campingschlafsäcke"),
    },
}

# -- categories (keys are the catalog's `category`, exactly) -------------------------------------------------
CATEGORY_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "headphones": {
        "es": ("auriculares", "cascos", "audífonos"),
        "fr": ("casques et écouteurs", "écouteurs", "casques", "audio"),
        "de": ("Kopfhörer", "Ohrhörer", "Headsets"),
    },
    "laptops": {
        "es": ("portátiles", "ordenadores portátiles", "laptops", "computadoras portátiles"),
        "fr": ("ordinateurs portables", "pc portables", "portables", "laptops"),
        "de": ("Laptops", "Notebooks", "Laptop", "Notebook"),
    },
    "smartphones": {
        "es": ("móviles", "teléfonos", "smartphones", "celulares"),
        "fr": ("smartphones", "téléphones", "téléphones portables", "mobiles"),
        "de": ("Smartphones", "Handys", "Mobiltelefone", "Telefone"),
    },
    "cameras": {
        "es": ("cámaras", "cámaras de fotos", "cámaras fotográficas", "cámara"),
        "fr": ("appareils photo", "caméras", "appareil photo", "photo et vidéo"),
        "de": ("Kameras", "Fotoapparate", "Kamera", "Digitalkameras"),
    },
    "jackets": {
        "es": ("chaquetas", "abrigos", "cazadoras", "chamarras"),
        "fr": ("vestes", "blousons", "manteaux", "veste"),
        "de": ("Jacken", "Jacke", "Mäntel", "Outdoorjacken"),
    },
    "shoes": {
        "es": ("zapatos", "calzado", "zapato"),
        "fr": ("chaussures", "chaussure", "souliers"),
        "de": ("Schuhe", "Schuh", "Schuhwerk"),
    },
    "clothing": {
        "es": ("ropa", "prendas", "prendas de ropa"),
        "fr": ("vêtements", "habits", "fringues"),
        "de": ("Kleidung", "Klamotten", "Bekleidung", "Mode"),
    },
    "furniture": {
        "es": ("muebles", "mobiliario", "mueble"),
        "fr": ("meubles", "mobilier", "meuble"),
        "de": ("Möbel", "Möbelstücke", "Einrichtung"),
    },
    "kitchen": {
        "es": ("cocina", "cosas de cocina", "menaje de cocina", "utensilios de cocina"),
        "fr": ("cuisine", "ustensiles de cuisine", "articles de cuisine", "électroménager de cuisine"),
        "de": ("Küche", "Küchenbedarf", "Küchengeräte", "Küchenutensilien"),
    },
    "bedding": {
        "es": ("ropa de cama", "textiles de cama", "cosas para la cama"),
        "fr": ("linge de lit", "literie", "linge de maison"),
        "de": ("Bettwäsche", "Bettzeug", "Bettwaren"),
    },
    "fitness": {
        "es": ("fitness", "material de gimnasio", "artículos de fitness", "deporte"),
        "fr": ("fitness", "matériel de sport", "équipement de fitness", "musculation"),
        "de": ("Fitness", "Fitnessgeräte", "Sportgeräte", "Fitnesszubehör"),
    },
    "beauty": {
        "es": ("belleza", "cuidado personal", "productos de belleza", "cosmética"),
        "fr": ("beauté", "produits de beauté", "cosmétiques", "soins"),
        "de": ("Beauty", "Kosmetik", "Körperpflege", "Schönheitspflege"),
    },
    "toys": {
        "es": ("juguetes", "juguete", "juegos para niños"),
        "fr": ("jouets", "jouet", "jeux pour enfants"),
        "de": ("Spielzeug", "Spielsachen", "Spielwaren"),
    },
    "outdoor": {
        "es": ("aire libre", "camping", "material de acampada", "montaña"),
        "fr": ("plein air", "camping", "outdoor", "randonnée"),
        "de": ("Outdoor", "Camping", "Outdoor-Ausrüstung", "Campingausrüstung"),
    },
}

# -- asking for a product: {p} the product phrase (plural-first), {n} an amount in US dollars --------------------
FRAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "do_you": ("¿tienen {p}?", "tienen {p}?", "¿venden {p}?", "¿tenéis {p}?", "vendéis {p}?", "hay {p}?",
                   "¿tienes {p}?", "¿manejan {p}?", "¿ustedes venden {p}?", "oye, ¿tienen {p} en la tienda?",
                   "tendrán {p}?", "¿tienen algo de {p}?"),
        "need": ("busco {p}", "estoy buscando {p}", "necesito {p}", "quiero comprar {p}", "ando buscando {p}",
                 "me gustaría comprar {p}", "estoy interesado en {p}", "quiero {p}", "necesitaría {p}",
                 "busco {p} urgente", "estoy buscando {p}, me pueden ayudar?", "quisiera comprar {p}"),
        "show": ("muéstrame {p}", "enséñame {p}", "¿me enseñas {p}?", "¿me puedes mostrar {p}?", "muéstreme {p}, por favor",
                 "quiero ver {p}", "déjame ver {p}", "¿podrían mostrarme {p}?", "a ver {p}", "pásame opciones de {p}",
                 "enséñame qué {p} tienen"),
        "suggest": ("¿qué {p} me recomiendas?", "¿qué {p} me recomienda?", "recomiéndame {p}", "¿qué me recomiendan en {p}?",
                    "necesito consejo para elegir {p}", "¿qué {p} me sugieren?", "ayúdame a elegir {p}",
                    "¿cuál es la mejor opción en {p}?", "que {p} me aconsejas", "¿alguna recomendación de {p}?",
                    "¿qué {p} me conviene comprar?"),
        "gift": ("busco un regalo para mi hijo, ¿tienen {p}?", "es para regalar a mi madre: {p}",
                 "un regalo para mi padre, {p}", "quiero regalarle {p} a mi novia", "regalo para mi hermano, ¿qué {p} tienen?",
                 "necesito un regalo para mi abuela, algo como {p}", "es el cumpleaños de mi mujer y busco {p}",
                 "para mi sobrino, ¿tienen {p}?", "busco {p} para regalar a mi pareja", "un detalle para mi jefa: {p}",
                 "regalo de navidad para mi hija, {p}"),
        "story": ("nos vamos a mudar y necesitamos {p}", "acabo de mudarme, ¿tienen {p}?",
                  "se me rompió lo que tenía, así que busco {p}", "me voy de viaje el mes que viene, busco {p}",
                  "estoy amueblando mi piso nuevo, necesito {p}", "trabajo desde casa ahora, busco {p}",
                  "mi hijo empieza la universidad, ¿tienen {p}?", "este año quiero cuidarme más, necesito {p}",
                  "lo que tengo ya está muy viejo, quiero {p}", "se acerca la navidad y ando buscando {p}",
                  "he empezado a hacer deporte, ¿venden {p}?"),
        "budget": ("{p} por menos de {n} dólares", "busco {p} de menos de {n} dólares", "¿tienen {p} por debajo de {n} dólares?",
                   "necesito {p}, como mucho {n} dólares", "{p} hasta {n} dólares", "quiero {p} sin gastar más de {n} dólares",
                   "mi presupuesto es de {n} dólares como máximo, busco {p}", "¿hay {p} por menos de {n} $?",
                   "no quiero gastar más de {n} dólares en {p}", "tengo como máximo {n} dólares para {p}",
                   "{p}, máximo {n} dólares", "{p} de {n} dólares o menos"),
        "greeting": ("Buenas, ¿tienen {p}?", "hola, busco {p}", "Hola! necesito {p}", "buenos días, ¿venden {p}?",
                     "buenas tardes, estoy buscando {p}", "hola, qué tal? quería ver {p}", "hola buenas, ¿me enseñas {p}?",
                     "saludos, quisiera información sobre {p}", "qué tal, busco {p}", "holaa, ¿hay {p}?",
                     "buenas noches, ¿tenéis {p}?"),
    },
    "fr": {
        "do_you": ("avez-vous des {p} ?", "vous avez des {p} ?", "vous vendez des {p} ?", "est-ce que vous avez des {p} ?",
                   "tu as des {p} ?", "vous auriez des {p} ?", "vous avez quoi comme {p} ?", "{p}, vous en avez ?",
                   "est ce que vous vendez des {p}", "il y a des {p} chez vous ?", "vous proposez des {p} ?", "y a des {p} ?"),
        "need": ("je cherche des {p}", "je recherche des {p}", "je voudrais acheter des {p}", "il me faudrait des {p}",
                 "je veux des {p}", "je cherche à acheter des {p}", "je souhaiterais acheter des {p}", "on cherche des {p}",
                 "je cherche des {p} svp", "j'aimerais trouver des {p}", "je voudrais voir ce que vous avez comme {p}",
                 "je me renseigne pour des {p}"),
        "show": ("montrez-moi des {p}", "montre-moi des {p}", "vous pouvez me montrer vos {p} ?", "je peux voir vos {p} ?",
                 "faites-moi voir les {p}", "affiche les {p}", "montrez-moi ce que vous avez comme {p}",
                 "pouvez-vous me montrer des {p}, svp", "je voudrais voir les {p}", "montre moi les {p} dispo",
                 "tu peux m'afficher des {p} ?"),
        "suggest": ("qu'est-ce que vous me conseillez comme {p} ?", "vous me conseillez quoi comme {p} ?",
                    "tu me recommandes quoi en {p} ?", "vous pouvez me conseiller des {p} ?",
                    "j'hésite, vous conseillez quoi en {p} ?", "besoin d'un conseil pour choisir des {p}",
                    "vous auriez des {p} à me recommander ?", "aidez-moi à choisir des {p}",
                    "côté {p}, qu'est-ce qui vaut le coup ?", "niveau {p}, vous proposez quoi de bien ?",
                    "qu'est-ce que tu conseilles comme {p}"),
        "gift": ("je cherche un cadeau pour mon fils, vous avez des {p} ?", "un cadeau pour ma mère : des {p}",
                 "c'est pour offrir à mon père, des {p}", "cadeau pour ma copine, je pense à des {p}",
                 "pour l'anniversaire de ma sœur, vous avez des {p} ?", "j'aimerais offrir des {p} à mon mari",
                 "un cadeau pour ma grand-mère, quelque chose comme des {p}", "idée cadeau pour mon neveu : des {p}",
                 "pour Noël, je cherche des {p} pour ma fille", "je veux faire plaisir à mon frère, vous avez des {p} ?",
                 "un petit cadeau pour ma collègue, vous avez quoi comme {p} ?"),
        "story": ("on déménage bientôt, il nous faut des {p}", "je viens d'emménager, vous avez des {p} ?",
                  "mon ancien modèle est cassé, je cherche des {p}", "je pars en voyage le mois prochain, il me faut des {p}",
                  "je me suis mis au sport, je cherche des {p}", "je télétravaille maintenant, je cherche des {p}",
                  "ma fille entre à la fac, vous avez des {p} ?", "c'est bientôt les vacances, je cherche des {p}",
                  "mon vieux modèle m'a lâché, vous avez des {p} ?", "on refait la chambre d'amis, on cherche des {p}",
                  "le chien a tout abîmé, vous avez quoi comme {p} ?"),
        "budget": ("des {p} à moins de {n} dollars", "je cherche des {p} pour moins de {n} dollars",
                   "vous avez des {p} à moins de {n} dollars ?", "{p} pas plus de {n} dollars", "des {p} à {n} dollars maximum",
                   "mon budget c'est {n} dollars max, vous avez des {p} ?", "je ne veux pas dépasser {n} dollars pour des {p}",
                   "{p} jusqu'à {n} dollars", "des {p} en dessous de {n} dollars", "il me faut des {p}, budget max {n} dollars",
                   "des {p} qui coûtent moins de {n} dollars", "{p} à {n} $ max"),
        "greeting": ("Bonjour, avez-vous des {p} ?", "bonjour, je cherche des {p}", "salut, vous avez des {p} ?",
                     "bonsoir, je voudrais des {p}", "Bonjour ! vous vendez des {p} ?", "coucou, tu as des {p} ?",
                     "Bonjour, je souhaiterais voir vos {p}", "salut ! je cherche des {p} svp", "bjr, vous avez des {p}",
                     "hello, vous avez quoi comme {p} ?", "bonjour, qu'est-ce que vous avez en {p} ?"),
    },
    "de": {
        "do_you": ("Haben Sie {p}?", "habt ihr {p}?", "Verkaufen Sie {p}?", "Führen Sie {p}?", "gibt es bei euch {p}?",
                   "hast du {p}?", "Haben Sie auch {p} im Sortiment?", "gibts hier {p}?", "verkauft ihr {p}",
                   "Bieten Sie {p} an?", "hätten Sie {p}?", "habt ihr {p} da?"),
        "need": ("Ich suche {p}", "ich brauche {p}", "ich möchte {p} kaufen", "ich hätte gern {p}", "suche {p}",
                 "ich will {p} kaufen", "bräuchte {p}", "ich interessiere mich für {p}", "wir suchen {p}",
                 "ich möchte mir {p} zulegen", "ich bräuchte mal {p}", "ich würde gerne {p} kaufen"),
        "show": ("Zeigen Sie mir {p}", "zeig mir {p}", "Können Sie mir {p} zeigen?", "kannst du mir {p} zeigen",
                 "ich würde gern {p} sehen", "zeig mal {p}", "lass mich {p} sehen", "Könnten Sie mir bitte {p} zeigen?",
                 "zeig mir mal ein paar {p}", "Bitte zeigen Sie mir {p}", "{p} anzeigen bitte"),
        "suggest": ("Können Sie mir {p} empfehlen?", "was für {p} würden Sie empfehlen?", "kannst du mir {p} empfehlen",
                    "Ich brauche eine Empfehlung für {p}", "Haben Sie eine Empfehlung für {p}?", "was empfiehlst du für {p}?",
                    "Was sind gute {p}?", "Tipps für {p}?", "Können Sie mir bei der Auswahl helfen? Ich suche {p}",
                    "welche Marke würden Sie für {p} empfehlen?", "was für {p} taugen was?"),
        "gift": ("Ich suche ein Geschenk für meinen Sohn, haben Sie {p}?", "ein Geschenk für meine Mutter: {p}",
                 "für meinen Vater zum Geburtstag, {p}", "Geschenkidee für meine Freundin, vielleicht {p}",
                 "meine Schwester hat Geburtstag, habt ihr {p}?", "ich möchte meinem Mann {p} schenken",
                 "Weihnachtsgeschenk für meine Tochter: {p}", "für meine Oma als Geschenk, {p}",
                 "was zum Verschenken für meinen Neffen, {p}", "Geschenk für meinen Bruder gesucht, {p}",
                 "ich will meiner Kollegin {p} schenken"),
        "story": ("Wir ziehen bald um und brauchen {p}", "ich bin gerade umgezogen, haben Sie {p}?",
                  "meins ist kaputtgegangen, ich suche {p}", "ich fahre nächsten Monat in Urlaub und brauche {p}",
                  "ich arbeite jetzt im Homeoffice, deshalb suche ich {p}",
                  "meine Tochter fängt mit dem Studium an, habt ihr {p}?",
                  "wir richten gerade die Wohnung neu ein, wir brauchen {p}",
                  "ich will dieses Jahr fitter werden, ich suche {p}",
                  "das alte Ding hat den Geist aufgegeben, ich brauche {p}", "ich hab meins im Zug liegen lassen, habt ihr {p}?",
                  "bald ist Weihnachten, ich suche {p}"),
        "budget": ("{p} unter {n} Dollar", "ich suche {p} für unter {n} Dollar", "Haben Sie {p} für weniger als {n} Dollar?",
                   "{p} bis {n} Dollar", "{p} für maximal {n} Dollar", "ich brauche {p}, höchstens {n} Dollar",
                   "mein Budget liegt bei maximal {n} Dollar, ich suche {p}",
                   "ich will nicht mehr als {n} Dollar für {p} ausgeben", "{p}, nicht teurer als {n} Dollar",
                   "habt ihr {p} unter {n} $?", "{p} bis maximal {n} Dollar bitte", "Gibt es {p} für unter {n} Dollar?"),
        "greeting": ("Guten Tag, haben Sie {p}?", "Hallo, ich suche {p}", "hi, habt ihr {p}?", "Guten Morgen, ich bräuchte {p}",
                     "Moin, gibts bei euch {p}?", "Servus, ich suche {p}", "Hallo zusammen, verkauft ihr {p}?",
                     "Guten Abend, ich interessiere mich für {p}", "hallo! ich brauche {p}", "Grüß Gott, haben Sie {p}?",
                     "hey, hast du {p}?", "Hallo, können Sie mir {p} zeigen?"),
    },
}

# -- store rules (the policy topics) ------------------------------------------------------------------------------
POLICY_QUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "returns": ("¿cómo devuelvo un producto?", "¿puedo devolver algo que compré?", "¿cuál es la política de devoluciones?",
                    "¿cuántos días tengo para devolver un pedido?", "quiero devolver un artículo, ¿cómo lo hago?",
                    "¿las devoluciones son gratis?", "¿se puede cambiar un producto por otro?",
                    "no me convence lo que compré, ¿lo puedo devolver?"),
        "refunds": ("¿cuándo me devuelven el dinero?", "¿cuánto tarda el reembolso?", "¿cómo pido un reembolso?",
                    "todavía no me han hecho el reembolso", "¿me reembolsan también los gastos de envío?",
                    "¿el reembolso se hace a la misma tarjeta?", "quiero que me devuelvan el dinero de un pedido"),
        "shipping": ("¿cuánto tarda el envío?", "¿el envío es gratis?", "¿cuánto cuesta el envío?",
                     "¿hacen envíos internacionales?", "¿tienen envío urgente?", "¿a qué países envían?",
                     "¿con qué empresa de mensajería envían?", "cuanto tardan en mandar un pedido"),
        "payment_methods": ("¿qué formas de pago aceptan?", "¿puedo pagar con PayPal?", "¿aceptan tarjeta de crédito?",
                            "¿se puede pagar a plazos?", "¿aceptan Apple Pay?", "¿puedo pagar contra reembolso?",
                            "¿aceptan tarjetas de débito?"),
        "account": ("¿cómo creo una cuenta?", "olvidé mi contraseña", "no puedo iniciar sesión",
                    "¿cómo cambio mi correo electrónico?", "¿cómo borro mi cuenta?", "¿puedo comprar sin registrarme?",
                    "¿dónde cambio la dirección de envío de mi cuenta?"),
    },
    "fr": {
        "returns": ("comment retourner un article ?", "quelle est votre politique de retour ?",
                    "j'ai combien de temps pour renvoyer un produit ?", "est-ce que les retours sont gratuits ?",
                    "je voudrais retourner ma commande", "je peux échanger un article ?",
                    "le produit ne me convient pas, je peux le renvoyer ?"),
        "refunds": ("quand est-ce que je serai remboursé ?", "combien de temps prend le remboursement ?",
                    "comment demander un remboursement ?", "je n'ai toujours pas reçu mon remboursement",
                    "les frais de port sont remboursés ?", "le remboursement se fait sur la même carte ?",
                    "je veux être remboursé"),
        "shipping": ("combien de temps prend la livraison ?", "la livraison est gratuite ?", "c'est combien les frais de port ?",
                     "vous livrez à l'étranger ?", "vous livrez en Belgique ?", "vous avez la livraison express ?",
                     "quels sont les délais de livraison ?", "vous livrez en point relais ?"),
        "payment_methods": ("quels moyens de paiement acceptez-vous ?", "je peux payer avec PayPal ?",
                            "vous acceptez la carte bancaire ?", "on peut payer en plusieurs fois ?", "vous prenez Apple Pay ?",
                            "est-ce que je peux payer par virement ?", "vous acceptez American Express ?"),
        "account": ("comment créer un compte ?", "j'ai oublié mon mot de passe", "je n'arrive pas à me connecter",
                    "comment changer mon adresse e-mail ?", "comment supprimer mon compte ?",
                    "je peux commander sans créer de compte ?", "où je modifie mon adresse de livraison ?"),
    },
    "de": {
        "returns": ("Wie kann ich etwas zurückschicken?", "Wie sind Ihre Rückgabebedingungen?",
                    "Wie lange habe ich Zeit für eine Rücksendung?", "Ist die Rücksendung kostenlos?",
                    "ich möchte meine Bestellung zurückgeben", "kann ich einen Artikel umtauschen?",
                    "passt nicht, kann ich das zurückschicken?"),
        "refunds": ("Wann bekomme ich mein Geld zurück?", "Wie lange dauert die Rückerstattung?",
                    "Wie beantrage ich eine Erstattung?", "ich habe meine Rückerstattung noch nicht bekommen",
                    "Werden die Versandkosten auch erstattet?", "geht die Erstattung auf dieselbe Karte?",
                    "ich will mein Geld zurück"),
        "shipping": ("Wie lange dauert der Versand?", "Ist der Versand kostenlos?", "Was kostet der Versand?",
                     "Liefern Sie auch ins Ausland?", "liefert ihr nach Österreich?", "Gibt es Expressversand?",
                     "Mit welchem Paketdienst verschickt ihr?", "wie hoch sind die Versandkosten?"),
        "payment_methods": ("Welche Zahlungsarten akzeptieren Sie?", "kann ich mit PayPal zahlen?",
                            "Kann ich auf Rechnung bezahlen?", "nehmt ihr Kreditkarte?", "Geht auch Ratenzahlung?",
                            "Akzeptieren Sie Apple Pay?", "kann ich per Überweisung zahlen?"),
        "account": ("Wie erstelle ich ein Konto?", "ich habe mein Passwort vergessen", "ich kann mich nicht einloggen",
                    "Wie ändere ich meine E-Mail-Adresse?", "Wie kann ich mein Konto löschen?",
                    "kann ich auch ohne Konto bestellen?", "wo ändere ich meine Lieferadresse?"),
    },
}

# -- where is my order ------------------------------------------------------------------------------------------
ORDER_QUESTIONS: dict[str, tuple[str, ...]] = {
    "es": ("¿dónde está mi pedido?", "¿ya enviaron mi pedido?", "¿cuándo me llega el pedido?",
           "mi pedido todavía no ha llegado", "¿cómo puedo seguir mi pedido?", "¿en qué estado está mi pedido?",
           "hice un pedido hace una semana y no sé nada", "¿me pueden dar el número de seguimiento de mi pedido?"),
    "fr": ("où en est ma commande ?", "ma commande est partie ?", "quand est-ce que je vais recevoir ma commande ?",
           "je n'ai toujours pas reçu ma commande", "comment suivre mon colis ?", "ma commande a été expédiée ?",
           "j'ai commandé il y a une semaine et toujours rien", "vous pouvez me donner le numéro de suivi de ma commande ?"),
    "de": ("Wo ist meine Bestellung?", "Ist meine Bestellung schon verschickt?", "Wann kommt meine Bestellung an?",
           "meine Bestellung ist immer noch nicht da", "Wie kann ich meine Sendung verfolgen?",
           "wie ist der Status meiner Bestellung?", "hab vor einer Woche bestellt und noch nichts bekommen",
           "Können Sie mir die Sendungsnummer für meine Bestellung geben?"),
}

# -- hello, thanks, bye ---------------------------------------------------------------------------------------------
SOCIAL: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "greet": ("hola", "buenas", "buenos días", "hola, ¿qué tal?", "buenas tardes", "holaa"),
        "thanks": ("gracias", "muchas gracias", "mil gracias!", "gracias, muy amable", "genial, gracias", "te lo agradezco"),
        "bye": ("adiós", "hasta luego", "chao", "nos vemos", "eso es todo, adiós", "que tengas buen día"),
    },
    "fr": {
        "greet": ("bonjour", "salut", "bonsoir", "coucou", "bonjour, ça va ?", "hello"),
        "thanks": ("merci", "merci beaucoup", "merci bien", "super, merci !", "c'est gentil, merci", "merci pour votre aide"),
        "bye": ("au revoir", "à plus", "bonne journée", "à bientôt", "salut, bonne soirée", "ciao"),
    },
    "de": {
        "greet": ("hallo", "Guten Tag", "hi", "Moin", "Servus", "Guten Morgen"),
        "thanks": ("danke", "vielen Dank", "danke schön", "super, danke!", "herzlichen Dank", "danke für die Hilfe"),
        "bye": ("tschüss", "auf Wiedersehen", "bis dann", "ciao", "schönen Tag noch", "bis später"),
    },
}
