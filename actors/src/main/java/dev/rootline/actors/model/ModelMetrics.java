package dev.rootline.actors.model;

import dev.rootline.persistence.CborSerializable;

/**
 * How well a ranker ranked a set of labelled rankings (the held-back labels of one training).
 * Kept as its own record so that persisted events do not depend on the trainer's types.
 *
 * @param rankings labels that could score a ranking (the confirmed cause among the candidates)
 * @param ac1 share of them whose cause was ranked first
 * @param ac3 ...within the first three
 * @param ac5 ...within the first five
 * @param meanRank mean rank (1 = first) of the cause; 0 when there were no rankings
 */
public record ModelMetrics(int rankings, double ac1, double ac3, double ac5, double meanRank)
    implements CborSerializable {}
