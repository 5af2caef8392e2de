"""The organisation of a grid centre: departments (条线), staff users and their duty."""
