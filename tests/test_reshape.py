"""as_sequence, as_samples, input_shape, batch_input_shape: the Keras LSTM guide reshapes."""

import numpy as np
import pandas as pd
import pytest

import seqprep
from seqprep import ArgumentError, ArgumentTypeError, BatchSizeError, ShapeError

# ---------------------------------------------------------------- the Keras LSTM guides


def test_univariate_guide_example_ten_values_one_sample():
    # The guide: data = array([0.1, 0.2, ..., 1.0]); data = data.reshape((1, 10, 1))
    data = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    X = seqprep.as_sequence(data)
    assert X.shape == (1, 10, 1)
    np.testing.assert_array_equal(X, data.reshape((1, 10, 1)))
    assert seqprep.input_shape(X) == (10, 1)


def test_parallel_series_guide_example_two_series_one_sample():
    # The guide: two parallel series of ten values, column-stacked, reshaped to (1, 10, 2)
    s1 = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    s2 = s1[::-1].copy()
    data = np.hstack((s1.reshape((len(s1), 1)), s2.reshape((len(s2), 1))))
    X = seqprep.as_sequence(data)
    assert X.shape == (1, 10, 2)
    np.testing.assert_array_equal(X, data.reshape((1, 10, 2)))
    np.testing.assert_array_equal(X[0, :, 0], s1)
    np.testing.assert_array_equal(X[0, :, 1], s2)
    assert seqprep.input_shape(X) == (10, 2)


def test_as_sequence_accepts_lists_series_and_frames():
    assert seqprep.as_sequence([1, 2, 3]).shape == (1, 3, 1)
    assert seqprep.as_sequence(pd.Series([1.0, 2.0])).shape == (1, 2, 1)
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]})
    np.testing.assert_array_equal(seqprep.as_sequence(frame)[0], frame.to_numpy())


def test_as_sequence_is_a_view_where_numpy_allows():
    data = np.arange(12.0).reshape(6, 2)
    assert np.shares_memory(seqprep.as_sequence(data), data)


def test_as_samples_columns_as_timesteps_or_features():
    table = np.arange(12.0).reshape(4, 3)
    by_steps = seqprep.as_samples(table)
    by_features = seqprep.as_samples(table, columns="features")
    assert by_steps.shape == (4, 3, 1) and by_features.shape == (4, 1, 3)
    np.testing.assert_array_equal(by_steps[:, :, 0], table)
    np.testing.assert_array_equal(by_features[:, 0, :], table)
    assert seqprep.input_shape(by_steps) == (3, 1)
    assert seqprep.input_shape(by_features) == (1, 3)


def test_batch_input_shape_when_the_batch_divides():
    X = np.zeros((100, 5, 2))
    assert seqprep.batch_input_shape(X, 20) == (20, 5, 2)
    assert seqprep.batch_input_shape(X, 1) == (1, 5, 2)
    assert seqprep.batch_input_shape(X, 100) == (100, 5, 2)


def test_batch_size_that_does_not_divide_says_remainder_divisors_and_trim():
    with pytest.raises(BatchSizeError, match=r"^`batch_size` must divide the number of samples") as e:
        seqprep.batch_input_shape(np.zeros((95, 5, 1)), 10)
    err = e.value
    assert (err.n_samples, err.batch_size, err.remainder) == (95, 10, 5)
    assert err.divisors == [1, 5, 19, 95]
    text = str(err)
    assert "batch_size=10" in text and "95 samples" in text and "(remainder 5)" in text
    assert "1, 5, 19, 95" in text and "trim to 90 samples, dropping 5 samples" in text
    assert isinstance(err, ArgumentError) and isinstance(err, ValueError)


def test_batch_size_larger_than_the_samples():
    with pytest.raises(BatchSizeError, match=r"^`batch_size` must divide") as e:
        seqprep.batch_input_shape(np.zeros((10, 3, 1)), 32)
    assert "trimming would drop every sample" in str(e.value)
    assert e.value.divisors == [1, 2, 5, 10]


# ----------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 4)), np.zeros((1, 2, 3, 4))])
def test_as_sequence_refuses_3d_and_more(bad):
    with pytest.raises(ShapeError, match=r"^`data` must be 1D \(t,\) or 2D \(t, features\)"):
        seqprep.as_sequence(bad)


def test_as_sequence_refuses_empty_and_scalars():
    with pytest.raises(ShapeError, match=r"^`data` must have at least one time step"):
        seqprep.as_sequence(np.array([]))
    with pytest.raises(ShapeError, match=r"^`data` must be 1D"):
        seqprep.as_sequence(3.0)


@pytest.mark.parametrize("bad", [np.zeros(5), np.zeros((2, 3, 4))])
def test_as_samples_refuses_anything_but_2d(bad):
    with pytest.raises(ShapeError, match=r"^`data` must be 2D \(samples, columns\)"):
        seqprep.as_samples(bad)


def test_as_samples_refuses_unknown_columns_option():
    with pytest.raises(ArgumentError, match=r"^`columns` must be one of 'timesteps', 'features'"):
        seqprep.as_samples(np.zeros((2, 2)), columns="steps")


@pytest.mark.parametrize("bad", [
    np.array(["a", "b", "c"]),
    np.array([1 + 2j, 3 + 0j]),
    np.array(["2024-01-01"], dtype="datetime64[D]"),
    np.array([object(), object()]),
])
def test_non_numeric_data_is_refused(bad):
    with pytest.raises(ArgumentTypeError, match=r"^`data` must hold real numbers"):
        seqprep.as_sequence(bad)


def test_ragged_lists_are_refused():
    with pytest.raises(ArgumentTypeError, match=r"^`data` must be array-like with rows of equal"):
        seqprep.as_sequence([[1, 2], [3]])


@pytest.mark.parametrize("func", [seqprep.input_shape,
                                  lambda X: seqprep.batch_input_shape(X, 1)])
def test_shapes_need_3d(func):
    with pytest.raises(ShapeError, match=r"^`X` must be 3D \(samples, timesteps, features\)"):
        func(np.zeros((4, 2)))


@pytest.mark.parametrize("size, error, start", [
    (0, ArgumentError, r"^`batch_size` must be a positive integer\. Received: batch_size=0"),
    (-3, ArgumentError, r"^`batch_size` must be a positive integer\. Received: batch_size=-3"),
    (2.0, ArgumentTypeError, r"^`batch_size` must be an integer >= 1\. Received: batch_size=2\.0"),
    (True, ArgumentTypeError, r"^`batch_size` must be an integer >= 1"),
])
def test_bad_batch_sizes(size, error, start):
    with pytest.raises(error, match=start):
        seqprep.batch_input_shape(np.zeros((4, 2, 1)), size)


def test_errors_are_library_errors_and_builtins():
    with pytest.raises(seqprep.SeqprepError):
        seqprep.as_samples(np.zeros(3))
    with pytest.raises(ValueError):
        seqprep.as_samples(np.zeros(3))
    with pytest.raises(TypeError):
        seqprep.as_sequence(np.array(["x"]))
