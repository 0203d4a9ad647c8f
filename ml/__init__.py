"""APT-1: the cancellation-risk model. Plain Python + numpy, no Django: the generator, the
importer, training, calibration, the report and the ONNX export all run without a database;
apps.risk wires them into manage.py, the registry and the booking path."""
