"""RDF: the vocabulary (:mod:`~kg.rdf.vocab`), triples of a build
(:mod:`~kg.rdf.triples`), serialisation and the Oxigraph store
(:mod:`~kg.rdf.serialize`), and the ontology files (:mod:`~kg.rdf.ontology`)."""
