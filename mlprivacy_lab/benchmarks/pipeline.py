"""Benchmark ``pipeline`` (chapter 0): the MNIST-5k pipeline model that later chapters attack."""

from __future__ import annotations

import time

import numpy as np

from ..api import PredictionAPI
from ..bench_registry import register
from ..config import setup_torch
from ..data import mnist5k_split
from ..models import accuracy, mlp, train_classifier


@register("pipeline", "chapter 0: train the MNIST-5k classifier, accuracy and API query throughput")
def pipeline_bench(quick: bool) -> dict:
    setup_torch(seed=0)
    data = mnist5k_split()
    epochs = 3 if quick else 15
    start = time.perf_counter()
    model = train_classifier(mlp(data.n_features, data.n_classes, (256,)), data.X_train, data.y_train,
                             epochs=epochs, seed=0)
    train_s = time.perf_counter() - start
    api = PredictionAPI(model, data.n_classes)
    start = time.perf_counter()
    api.query(data.X_test)
    query_s = time.perf_counter() - start
    return {"data": "mnist5k", "n_train": len(data.y_train), "n_test": len(data.y_test), "epochs": epochs,
            "train_s": round(train_s, 3), "train_acc": accuracy(model, data.X_train, data.y_train),
            "test_acc": accuracy(model, data.X_test, data.y_test),
            "queries_per_s": round(float(np.divide(len(data.y_test), query_s)), 1)}
